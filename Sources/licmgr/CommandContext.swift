import ArgumentParser
import FoundationEssentials
import Glibc
import LicmgrCore

/// The one place that runs every command: load the config, take the lock if the command
/// changes the remote, open the store, build the remote client, run, and turn any error
/// into its message and exit code.
struct CommandContext {
    let options: GlobalOptions
    let output: Output
    let config: Config
    let command: String
    let time: any TimeSource = SystemTime()
    /// The log trail, for a run that is logged.
    let log: RunLog?
    /// Held for the whole command when it may change the remote.
    private let lock: RunLock?
    /// Where `--trace` writes the run's requests and answers.
    private let trace: TraceFile?
    /// The one connection to the database, opened when first asked for.
    private let connection = Connection()

    private final class Connection {
        var store: SQLiteStore?
        /// The read-only connection of a command that only reads.
        var reader: SQLiteStore?
        /// What the run did, per action, for its row in the run record.
        var counts: [String: Int] = [:]
        /// The run's report, for the hook.
        var report: RunReport?
        /// The error that stopped the run's report early, for the log trail.
        var stopped: String?
        /// What the record of repeating errors made of the run (checkevent), for the hook.
        var repeats: MailHygiene.Verdict?
        /// The copy of the database a dry run plans on, removed with the command.
        var scratch: String?

        deinit {
            if let scratch { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(scratch + suffix) } }
        }
    }

    private init(options: GlobalOptions, config: Config, command: String, locking: Bool, log: RunLog?) throws {
        self.options = options
        self.output = Output(options)
        self.command = command
        self.config = config
        self.log = log
        trace = try options.trace.map { path throws(TraceFileError) in try TraceFile(path: path) }
        trace?.write("licmgr \(BuildInfo.version) \(command), pid \(getpid()); times are UTC")
        if locking {
            try SQLiteDatabase.createDirectory(for: config.database)
            Interruption.catchSignals()
        }
        lock = locking ? try RunLock(path: config.lockPath) : nil
    }

    private static func loadConfig(_ options: GlobalOptions) throws -> Config {
        try ConfigParser().load(path: configPath(options), passwordOverride: passwordOverride)
    }

    /// The config file the options name: `--config`, else `LICMGR_CONFIG`, else the built-in path.
    static func configPath(_ options: GlobalOptions) -> String {
        options.config ?? ProcessInfo.processInfo.environment["LICMGR_CONFIG"] ?? BuildInfo.configPath
    }

    static var passwordOverride: String? { ProcessInfo.processInfo.environment[ConfigParser.passwordVariable] }

    /// The store; a command that records a change and then carries it to the remote uses
    /// the same connection for both.
    func openStore() throws -> SQLiteStore {
        if let store = connection.store { return store }
        let store = try SQLiteStore(path: config.database)
        connection.store = store
        return store
    }

    /// The store for a command that only reads (`status`, `list`, `show`, `history`): opened
    /// read-only, so that a monitoring user who may only read the database can run it.
    func readStore() throws -> SQLiteStore {
        if let store = connection.store ?? connection.reader { return store }
        let store = try SQLiteStore(path: config.database, readOnly: true)
        connection.reader = store
        return store
    }

    func server() throws -> BillmgrClient {
        let credentials = try config.credentials()
        return BillmgrClient(
            credentials: credentials, transport: transport(password: credentials.password), parallel: config.parallel)
    }

    /// The way to the remote, through the trace when `--trace` asks for one.
    func transport(password: String) -> any HTTPTransport {
        let curl = CurlTransport(
            connectTimeout: config.connectTimeout, timeout: config.timeout, caFile: config.caFile,
            userAgent: BuildInfo.userAgent, proxies: ProxyEnvironment(ProcessInfo.processInfo.environment))
        guard let trace else { return curl }
        return TracingTransport(wrapping: curl, trace: trace, password: password)
    }

    /// The engine, with its run's lines printed as they happen (`showUnchanged` for commands a
    /// person names items to); under `--json` they wait for the one document at the end.
    func engine(showUnchanged: Bool = false) throws -> LicenseEngine {
        var server = try server()
        let live = output.json ? nil : LiveRun(output: output, showUnchanged: showUnchanged, today: time.today)
        if let live { server.listingProgress = { live.progress($0) } }
        let engine = LicenseEngine(config: config, store: try openStore(), server: server, time: time, command: command)
        engine.observer = live
        engine.stepLog = log
        engine.scratch = { [connection, config] in
            let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            let path = "\(directory)/licmgr-dry-run-\(getpid())-\(UUID().uuidString).db"
            connection.scratch = path
            _ = try DatabaseBackup.copy(database: config.database, to: path, replace: false, durable: false)
            let store = try SQLiteStore(path: path)
            // Removed when the command ends, whatever happens: nothing in it is worth a disk sync.
            try store.db.execute("PRAGMA synchronous = OFF")
            return store
        }
        return engine
    }

    func registry() throws -> ServiceRegistry {
        ServiceRegistry(config: config, store: try openStore(), time: time, command: command)
    }

    /// Counts what the run did, for the run record.
    func tally(_ report: RunReport) {
        connection.report = report
        connection.stopped = report.stopped?.description ?? report.serviceSource?.failure?.message
        tally(Dictionary(uniqueKeysWithValues: RunReport.Action.allCases.map { ($0.rawValue, report.count($0)) }))
    }

    /// Keeps what the record of repeating errors made of the run, so that the hook hears of
    /// them as cron's mail does: when they start, hourly, and when they end.
    func hear(_ verdict: MailHygiene.Verdict?) {
        connection.repeats = verdict
    }

    /// What `hear` kept.
    var repeats: MailHygiene.Verdict? { connection.repeats }

    func tally(_ counts: [String: Int]) {
        connection.counts.merge(counts.filter { $0.value != 0 }) { $0 + $1 }
    }

    /// Adds the run's row to the run record. Best effort: a run whose record cannot be written
    /// still ends with its own exit code.
    private func record(startedAt: String, exit status: ExitStatus, error: (any Error)? = nil) {
        let run = RunRecord(
            command: command, startedAt: startedAt, endedAt: time.timestamp, exitCode: Int(status.rawValue),
            counts: connection.counts)
        try? openStore().insert(run)
        afterRun(run, report: connection.report, error: error)
    }

    /// A command line that asked for something impossible (64) or named what is not there
    /// (65: `order 999`), refused before anything was done: a typo is not a run of the command,
    /// so it stays out of the run record, `status`, the metrics and the hook; the log trail
    /// still has it. A file that cannot be read (66) is not such a mistake.
    static func isCommandLineMistake(_ error: any Error) -> Bool {
        switch error {
        case is UsageError: return true
        case InputError.unreadableFile: return false
        case is InputError: return true
        default: return false
        }
    }

    /// Runs `body` with a context; `locking` for commands that may change the remote. `check`
    /// runs first, before the config is read, for command-line values only the command can judge.
    /// `recorded` (default: `locking`) adds the run to the run record, failed or not; a run
    /// that never got its context (bad config, lock held) has nothing to record it in. The
    /// log trail gets the same runs, and also those held off by the lock once the config,
    /// and so the log, is known. `given` is a config the command has loaded itself.
    static func run(
        _ options: GlobalOptions, command: String, locking: Bool = false, recorded: Bool? = nil,
        config given: Config? = nil, check: () throws -> Void = {},
        _ body: (CommandContext) throws -> ExitStatus
    ) throws {
        let output = Output(options)
        let status: ExitStatus
        var context: CommandContext?
        var log: RunLog?
        let startedAt = SystemTime().timestamp
        let clock = ContinuousClock.now
        func logRun(_ status: ExitStatus, error: String?) {
            let elapsed = ContinuousClock.now - clock
            log?.run(
                command: command, exit: status, counts: context?.connection.counts ?? [:],
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                error: error ?? context?.connection.stopped)
        }
        do {
            try check()
            let config = try given ?? loadConfig(options)
            if recorded ?? locking {
                log = RunLog(config.log)
                // Warned, not fatal: a log that cannot be written must not stop renewals.
                if let problem = log?.problem { output.warning("\(problem); this run logs to syslog") }
            }
            let made = try CommandContext(
                options: options, config: config, command: command, locking: locking, log: log)
            context = made
            status = try body(made)
        } catch {
            let cut = error as? ListingCut
            let said = error as? AlreadySaid
            let cause = cut?.cause ?? said?.cause ?? error
            let status = ExitStatus.of(cause)
            let message = String(describing: cause)
            if said != nil {
                // Printed on an earlier run; the exit code and the log still tell this one.
            } else if options.json, cut == nil {
                output.errorDocument(code: status.rawValue, message: message)
            } else {
                output.error(message)
            }
            // After the error is said: the hook it may call comes after the run, its warning too.
            if recorded ?? locking, !Self.isCommandLineMistake(cause) {
                context?.record(startedAt: startedAt, exit: status, error: cause)
            }
            logRun(status, error: message)
            throw ExitCode(status.rawValue)
        }
        if recorded ?? locking { context?.record(startedAt: startedAt, exit: status) }
        logRun(status, error: nil)
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
