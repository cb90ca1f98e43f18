import CSyslog
import FoundationEssentials
import Glibc
import LicmgrCore

/// The log trail (`Log` in licmgr.conf): one line per run, and one per remote step that
/// spends money or changes a license as the engine records its outcome. Best effort: a line
/// that cannot be written never fails a run.
final class RunLog: StepLog {
    enum Priority {
        case info, warning, error

        var syslog: Int32 {
            switch self {
            case .info: LOG_INFO
            case .warning: LOG_WARNING
            case .error: LOG_ERR
            }
        }

        /// sd-daemon(3)'s prefix, which journald reads from a unit's stderr.
        var journald: String {
            switch self {
            case .info: "<6>"
            case .warning: "<4>"
            case .error: "<3>"
            }
        }
    }

    private enum Sink {
        case syslog
        case stderr(journald: Bool)
        case file(Int32)
        case none
    }

    private let sink: Sink
    /// Why the configured log file could not be opened; the run logs to syslog instead.
    let problem: String?

    init(_ target: Config.LogTarget, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var problem: String?
        switch target {
        case .syslog:
            sink = .syslog
        case .stderr:
            // systemd sets JOURNAL_STREAM for a unit whose stderr goes to the journal.
            sink = .stderr(journald: !(environment["JOURNAL_STREAM"] ?? "").isEmpty)
        case .none:
            sink = .none
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            if descriptor >= 0 {
                sink = .file(descriptor)
            } else {
                problem = "the log file \(path) cannot be opened: \(String(cString: strerror(errno)))"
                sink = .syslog
            }
        }
        self.problem = problem
        if case .syslog = sink { licmgr_openlog() }
    }

    deinit {
        if case .file(let descriptor) = sink { close(descriptor) }
    }

    func record(_ entry: StepLogEntry) {
        let (priority, text) = Self.line(entry)
        write(priority, text)
    }

    /// The run's line: `run checkevent exit=0 ordered=2 renewed=1 duration=1.23s`, and the
    /// error that ended it, if one did.
    func run(command: String, exit status: ExitStatus, counts: [String: Int], seconds: Double, error: String?) {
        var text = "run \(command) exit=\(status.rawValue)"
        for (action, count) in counts.sorted(by: { $0.key < $1.key }) where count != 0 {
            text += " \(action)=\(count)"
        }
        text += " duration=" + Self.hundredths(seconds) + "s"
        if let error { text += " error: \(error)" }
        let priority: Priority =
            switch status {
            case .ok: .info
            // Try again later: the lock held, the remote slow, a step in doubt or held.
            case .temporary: .warning
            default: .error
            }
        write(priority, text)
    }

    /// `%.2f`, formatted by libc as Foundation's `String(format:)` would.
    private static func hundredths(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.2f", $0) }
        return String(decoding: buffer[..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Why the runs could not append to `path`, or nil when they can; creates nothing.
    static func unwritable(_ path: String) -> String? {
        let exists = access(path, F_OK) == 0
        let target = exists ? path : Path.parent(of: path)
        guard access(target, exists ? W_OK : W_OK | X_OK) != 0 else { return nil }
        return String(cString: strerror(errno))
    }

    /// The target as licmgr.conf spells it.
    static func name(_ target: Config.LogTarget) -> String {
        switch target {
        case .syslog: "syslog"
        case .stderr: "stderr"
        case .none: "none"
        case .file(let path): path
        }
    }

    /// `step order lm-… service=7 license=100001 price=12.00 USD: done`
    static func line(_ entry: StepLogEntry) -> (Priority, String) {
        var text = "step"
        if case .settled = entry.outcome { text += " settle" }
        text += " \(entry.kind.rawValue) \(entry.key)"
        if let service = entry.serviceID { text += " service=\(service)" }
        if let license = entry.licenseID { text += " license=\(license)" }
        if let cost = entry.cost {
            text += " price=\(Money.format(cost))" + (entry.currency.map { " \($0)" } ?? "")
        }
        switch entry.outcome {
        case .done: return (.info, text + ": done")
        case .failed(let words): return (.error, text + ": failed: \(words)")
        case .inDoubt(let words): return (.warning, text + ": in doubt: \(words); the next run settles it")
        case .held(let why): return (.warning, text + ": held: \(why)")
        case .settled(let applied, let detail):
            return (.info, text + ": " + (applied ? "applied" : "not applied") + ": \(detail)")
        }
    }

    private func write(_ priority: Priority, _ text: String) {
        // One line whatever the remote's words held.
        let line = String(text.map { $0.isNewline ? " " : $0 })
        switch sink {
        case .syslog:
            licmgr_syslog(priority.syslog, line)
        case .stderr(let journald):
            // On a terminal the line starts by wiping a progress line it would otherwise join.
            let wipe = isatty(STDERR_FILENO) == 1 ? "\r\u{1B}[K" : ""
            Self.write(STDERR_FILENO, wipe + (journald ? priority.journald : "licmgr: ") + line + "\n")
        case .file(let descriptor):
            let stamp = SystemTime().timestamp.replacing(" ", with: "T") + "Z"
            Self.write(descriptor, "\(stamp) licmgr[\(getpid())]: \(line)\n")
        case .none:
            break
        }
    }

    /// One write(2) per line: with O_APPEND, lines of runs writing at once never interleave.
    private static func write(_ descriptor: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}
