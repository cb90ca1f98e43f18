import CSpawn
import Glibc

/// Runs the operator's programs, the `Hook` and the `ServiceSource`: directly (no shell), from
/// `/`, with only the environment it is given, `input` on stdin, stdout discarded or captured
/// and the start of stderr kept, for at most `timeout` seconds. It is started in a process group of its own so that, when it overruns,
/// SIGTERM and then SIGKILL reach whatever it started too: a script waiting on a child runs
/// its TERM trap only once that child ends, and a child left behind would keep the run waiting.
public struct HookRunner: Sendable {
    /// How a hook ended.
    public enum Outcome: Sendable, Equatable {
        case exited(code: Int32, firstLine: String)
        case killed(signal: Int32, firstLine: String)
        /// It overran its time and was stopped.
        case timedOut(seconds: Double, firstLine: String)
        /// It could not be started: missing, not executable, or refused by the system.
        case notStarted(reason: String)
        /// It printed more than the caller takes, and was stopped.
        case tooMuchOutput(bytes: Int, firstLine: String)

        public var succeeded: Bool {
            if case .exited(0, _) = self { return true }
            return false
        }

        /// The first line the hook wrote on stderr, empty when none.
        public var firstLine: String {
            switch self {
            case .exited(_, let line), .killed(_, let line), .timedOut(_, let line), .tooMuchOutput(_, let line):
                return line
            case .notStarted: return ""
            }
        }

        /// What happened, after the hook's path: `exited 3: no route to host`.
        public var summary: String {
            let said = firstLine.isEmpty ? "" : ": \(firstLine)"
            switch self {
            case .exited(let code, _): return "exited \(code)\(said)"
            case .killed(let signal, _): return "was killed by signal \(signal)\(said)"
            case .timedOut(let seconds, _):
                let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
                return "took more than \(shown) seconds and was stopped\(said)"
            case .notStarted(let reason): return "could not be run: \(reason)"
            case .tooMuchOutput(let bytes, _):
                return "printed more than \(bytes / (1 << 20)) MiB and was stopped\(said)"
            }
        }
    }

    public var path: String
    /// What follows the path on its command line.
    public var arguments: [String]
    public var timeout: Double
    /// How long a hook has between SIGTERM and SIGKILL.
    public var grace: Double

    /// The most of stderr kept; the rest is read and dropped so that the hook never blocks on it.
    static let keptBytes = 4096

    public init(path: String, arguments: [String] = [], timeout: Double, grace: Double = 2) {
        self.path = path
        self.arguments = arguments
        self.timeout = timeout
        self.grace = grace
    }

    /// Runs the hook and waits for it, never longer than `timeout` plus `grace`.
    public func run(input: [UInt8], environment: [String: String]) -> Outcome {
        execute(input: input, environment: environment, capture: nil).outcome
    }

    /// Runs the program with nothing on stdin and returns what it printed on stdout: all of it
    /// when it exits 0 within its time, having printed at most `limit` bytes.
    public func capture(environment: [String: String], limit: Int) -> (outcome: Outcome, output: [UInt8]) {
        execute(input: [], environment: environment, capture: limit)
    }

    private func execute(input: [UInt8], environment: [String: String], capture limit: Int?) -> (
        outcome: Outcome, output: [UInt8]
    ) {
        let (outcome, output) = launch(input: input, environment: environment, capture: limit)
        return (outcome, outcome.succeeded ? output : [])
    }

    private func launch(input: [UInt8], environment: [String: String], capture limit: Int?) -> (Outcome, [UInt8]) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (.notStarted(reason: Self.describe(errno)), []) }
        guard info.st_mode & S_IFMT == S_IFREG else { return (.notStarted(reason: "not a regular file"), []) }
        guard access(path, X_OK) == 0 else { return (.notStarted(reason: "not executable"), []) }

        // stdin, stderr and, when captured, stdout: each [read end, write end].
        var pipes: [[Int32]] = []
        for _ in 0..<(limit == nil ? 2 : 3) {
            var ends: [Int32] = [-1, -1]
            guard pipe2(&ends, O_CLOEXEC) == 0 else {
                let error = errno
                for open in pipes.joined() { close(open) }
                return (.notStarted(reason: Self.describe(error)), [])
            }
            pipes.append(ends)
        }
        let (toProgram, fromStderr) = (pipes[0], pipes[1])
        let fromStdout = limit == nil ? nil : pipes[2]

        let started = spawn(
            stdin: toProgram[0], stdout: fromStdout?[1], stderr: fromStderr[1], environment: environment)
        close(toProgram[0])
        close(fromStderr[1])
        if let fromStdout { close(fromStdout[1]) }
        let pid: pid_t
        switch started {
        case .success(let spawned): pid = spawned
        case .failure(let error):
            close(toProgram[1])
            close(fromStderr[0])
            if let fromStdout { close(fromStdout[0]) }
            return (.notStarted(reason: Self.describe(error.code)), [])
        }
        for fd in [toProgram[1], fromStderr[0], fromStdout?[0] ?? -1] where fd >= 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }

        var session = Session(
            pid: pid, input: input, stdin: toProgram[1], stderr: fromStderr[0], stdout: fromStdout?[0] ?? -1,
            limit: limit ?? 0)
        defer { session.closeAll() }
        let deadline = Self.now() + timeout
        if let status = session.pump(until: deadline) {
            if session.overflowed { return (.tooMuchOutput(bytes: session.limit, firstLine: session.firstLine), []) }
            return (Self.outcome(status, firstLine: session.firstLine), session.output)
        }
        // Overran its time or its output: the whole group is asked to stop, then made to. The
        // leader is only peeked at (WNOWAIT) until the group has had its SIGKILL, so its id
        // cannot be reused meanwhile.
        _ = kill(-pid, SIGTERM)
        session.closeInput()
        _ = session.pump(until: Self.now() + grace, reap: false)
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        session.drain()
        if session.overflowed { return (.tooMuchOutput(bytes: session.limit, firstLine: session.firstLine), []) }
        return (.timedOut(seconds: timeout, firstLine: session.firstLine), [])
    }

    private struct SpawnError: Error { var code: Int32 }

    private func spawn(stdin: Int32, stdout: Int32?, stderr: Int32, environment: [String: String]) -> Result<
        pid_t, SpawnError
    > {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        posix_spawn_file_actions_addchdir_np(&actions, "/")

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // licmgr catches SIGINT and SIGTERM; the hook starts with every signal at its default
        // and none blocked, or it could not be stopped.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let arguments: [UnsafeMutablePointer<CChar>?] = ([path] + self.arguments).map { strdup($0) } + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments + variables { free(pointer) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, path, &actions, &attributes, arguments, variables)
        return code == 0 ? .success(pid) : .failure(SpawnError(code: code))
    }

    /// The pipes to one running program.
    private struct Session {
        let pid: pid_t
        let input: [UInt8]
        var written = 0
        var stdin: Int32
        var stderr: Int32
        var kept: [UInt8] = []
        /// Captured stdout, -1 when it goes to /dev/null; what came of it, at most `limit` bytes.
        var stdout: Int32
        let limit: Int
        var output: [UInt8] = []
        /// It printed more than `limit`: the program is to be stopped.
        var overflowed = false

        init(pid: pid_t, input: [UInt8], stdin: Int32, stderr: Int32, stdout: Int32, limit: Int) {
            self.pid = pid
            self.input = input
            self.stdin = stdin
            self.stderr = stderr
            self.stdout = stdout
            self.limit = limit
            if input.isEmpty { closeInput() }
        }

        var firstLine: String {
            let text = String(decoding: kept, as: UTF8.self)
            let line = text.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
            let clean = String(line.map { $0.isASCII && ($0.asciiValue ?? 0) < 0x20 ? " " : $0 })
            let trimmed = clean.trimmingPrefix(while: \.isWhitespace)
            return trimmed.count > 200 ? String(trimmed.prefix(200)) + "..." : String(trimmed)
        }

        /// Feeds stdin and reads stderr until the hook exits (its status, reaped) or `deadline`
        /// (nil). With `reap` false the exit is only noticed, and the hook left to be reaped.
        /// A program still running that has printed more than `limit` is treated as one that
        /// overran its time.
        mutating func pump(until deadline: Double, reap: Bool = true) -> Int32? {
            while true {
                if let status = exited(reap: reap) {
                    drain()
                    return status
                }
                let left = deadline - HookRunner.now()
                if left <= 0 || (overflowed && reap) { return nil }
                var fds: [pollfd] = []
                if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
                if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
                if stdout >= 0 { fds.append(pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)) }
                // Short waits: the program's exit is noticed by polling its status, not by a signal.
                _ = poll(&fds, nfds_t(fds.count), Int32(min(left, 0.05) * 1000) + 1)
                for entry in fds where entry.revents != 0 {
                    if entry.fd == stdin { feed() } else { drain() }
                }
            }
        }

        private func exited(reap: Bool) -> Int32? {
            if reap {
                var status: Int32 = 0
                return waitpid(pid, &status, WNOHANG) == pid ? status : nil
            }
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 else { return nil }
            return info._sifields._sigchld.si_pid == pid ? 0 : nil
        }

        /// Writes what the pipe takes. A hook that stops reading, or never reads, is not waited on.
        private mutating func feed() {
            // A write to a hook that closed its stdin raises SIGPIPE, which would end licmgr:
            // blocked on this thread for the write, and a pending one taken back before unblocking.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            var previous = sigset_t()
            pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
            let count = input[written...].withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
            let error = errno
            if count < 0 && error == EPIPE {
                var zero = timespec()
                while sigtimedwait(&pipeSignal, nil, &zero) == SIGPIPE {}
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
            if count > 0 { written += count }
            if written == input.count || (count < 0 && error != EAGAIN && error != EINTR) { closeInput() }
        }

        /// Reads what stderr and stdout hold now: the start of stderr is kept, and stdout up to
        /// `limit`; past it, the rest is dropped and the program marked to be stopped.
        mutating func drain() {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while stderr >= 0 {
                let count = buffer.withUnsafeMutableBytes { read(stderr, $0.baseAddress, $0.count) }
                let error = errno
                if count > 0 {
                    kept += buffer.prefix(min(count, HookRunner.keptBytes - kept.count))
                    continue
                }
                if count < 0 && error == EINTR { continue }
                if count == 0 || error != EAGAIN {
                    close(stderr)
                    stderr = -1
                }
                break
            }
            while stdout >= 0 {
                let count = buffer.withUnsafeMutableBytes { read(stdout, $0.baseAddress, $0.count) }
                let error = errno
                if count > 0 {
                    if output.count + count > limit { overflowed = true }
                    if !overflowed { output += buffer.prefix(count) }
                    continue
                }
                if count < 0 && error == EINTR { continue }
                if count == 0 || error != EAGAIN {
                    close(stdout)
                    stdout = -1
                }
                break
            }
        }

        mutating func closeInput() {
            if stdin >= 0 { close(stdin) }
            stdin = -1
        }

        mutating func closeAll() {
            closeInput()
            if stderr >= 0 { close(stderr) }
            stderr = -1
            if stdout >= 0 { close(stdout) }
            stdout = -1
        }
    }

    private static func outcome(_ status: Int32, firstLine: String) -> Outcome {
        let signal = status & 0x7f
        if signal == 0 { return .exited(code: (status >> 8) & 0xff, firstLine: firstLine) }
        return .killed(signal: signal, firstLine: firstLine)
    }

    private static func describe(_ code: Int32) -> String {
        code == ENOENT ? "no such file" : String(cString: strerror(code))
    }

    /// Seconds on the monotonic clock: a clock step during the hook does not change its bound.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
