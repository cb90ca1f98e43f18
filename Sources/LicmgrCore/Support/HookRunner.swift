import CSpawn
import Glibc

/// Runs the operator's `Hook` program: directly (no shell), from `/`, with only the environment
/// it is given, `input` on stdin, stdout discarded and the start of stderr kept, for at most
/// `timeout` seconds. It is started in a process group of its own so that, when it overruns,
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

        public var succeeded: Bool {
            if case .exited(0, _) = self { return true }
            return false
        }

        /// The first line the hook wrote on stderr, empty when none.
        public var firstLine: String {
            switch self {
            case .exited(_, let line), .killed(_, let line), .timedOut(_, let line): return line
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
            }
        }
    }

    public var path: String
    public var timeout: Double
    /// How long a hook has between SIGTERM and SIGKILL.
    public var grace: Double

    /// The most of stderr kept; the rest is read and dropped so that the hook never blocks on it.
    static let keptBytes = 4096

    public init(path: String, timeout: Double, grace: Double = 2) {
        self.path = path
        self.timeout = timeout
        self.grace = grace
    }

    /// Runs the hook and waits for it, never longer than `timeout` plus `grace`.
    public func run(input: [UInt8], environment: [String: String]) -> Outcome {
        var info = stat()
        guard stat(path, &info) == 0 else { return .notStarted(reason: Self.describe(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notStarted(reason: "not a regular file") }
        guard access(path, X_OK) == 0 else { return .notStarted(reason: "not executable") }

        var toHook: [Int32] = [-1, -1]
        var fromHook: [Int32] = [-1, -1]
        guard pipe2(&toHook, O_CLOEXEC) == 0 else { return .notStarted(reason: Self.describe(errno)) }
        guard pipe2(&fromHook, O_CLOEXEC) == 0 else {
            let error = errno
            close(toHook[0])
            close(toHook[1])
            return .notStarted(reason: Self.describe(error))
        }

        let started = spawn(stdin: toHook[0], stderr: fromHook[1], environment: environment)
        close(toHook[0])
        close(fromHook[1])
        let pid: pid_t
        switch started {
        case .success(let spawned): pid = spawned
        case .failure(let error):
            close(toHook[1])
            close(fromHook[0])
            return .notStarted(reason: Self.describe(error.code))
        }
        _ = fcntl(toHook[1], F_SETFL, fcntl(toHook[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fromHook[0], F_SETFL, fcntl(fromHook[0], F_GETFL) | O_NONBLOCK)

        var session = Session(pid: pid, input: input, stdin: toHook[1], stderr: fromHook[0])
        defer { session.closeAll() }
        let deadline = Self.now() + timeout
        if let status = session.pump(until: deadline) {
            return Self.outcome(status, firstLine: session.firstLine)
        }
        // Overran: the whole group is asked to stop, then made to. The leader is only peeked at
        // (WNOWAIT) until the group has had its SIGKILL, so its id cannot be reused meanwhile.
        _ = kill(-pid, SIGTERM)
        session.closeInput()
        _ = session.pump(until: Self.now() + grace, reap: false)
        _ = kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        session.drain()
        return .timedOut(seconds: timeout, firstLine: session.firstLine)
    }

    private struct SpawnError: Error { var code: Int32 }

    private func spawn(stdin: Int32, stderr: Int32, environment: [String: String]) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
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

        let arguments: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let variables: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments + variables { free(pointer) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, path, &actions, &attributes, arguments, variables)
        return code == 0 ? .success(pid) : .failure(SpawnError(code: code))
    }

    /// The pipes to one running hook.
    private struct Session {
        let pid: pid_t
        let input: [UInt8]
        var written = 0
        var stdin: Int32
        var stderr: Int32
        var kept: [UInt8] = []

        init(pid: pid_t, input: [UInt8], stdin: Int32, stderr: Int32) {
            self.pid = pid
            self.input = input
            self.stdin = stdin
            self.stderr = stderr
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
        mutating func pump(until deadline: Double, reap: Bool = true) -> Int32? {
            while true {
                if let status = exited(reap: reap) {
                    drain()
                    return status
                }
                let left = deadline - HookRunner.now()
                if left <= 0 { return nil }
                var fds: [pollfd] = []
                if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
                if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
                // Short waits: the hook's exit is noticed by polling its status, not by a signal.
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

        /// Reads what stderr holds now, keeping the start.
        mutating func drain() {
            guard stderr >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
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
                return
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
