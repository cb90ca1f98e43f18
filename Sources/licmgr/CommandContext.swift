import ArgumentParser
import Foundation
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
    /// Held for the whole command when it may change the remote.
    private let lock: RunLock?
    /// The one connection to the database, opened when first asked for.
    private let connection = Connection()

    private final class Connection {
        var store: SQLiteStore?
    }

    private init(options: GlobalOptions, command: String, locking: Bool) throws {
        self.options = options
        self.output = Output(options)
        self.command = command
        let environment = ProcessInfo.processInfo.environment
        let path = options.config ?? environment["LICMGR_CONFIG"] ?? ConfigParser.defaultPath
        config = try ConfigParser().load(path: path, passwordOverride: environment[ConfigParser.passwordVariable])
        if locking {
            try SQLiteDatabase.createDirectory(for: config.database)
            Interruption.catchSignals()
        }
        lock = locking ? try RunLock(path: config.lockPath) : nil
    }

    /// The store; a command that records a change and then carries it to the remote uses
    /// the same connection for both.
    func openStore() throws -> SQLiteStore {
        if let store = connection.store { return store }
        let store = try SQLiteStore(path: config.database)
        connection.store = store
        return store
    }

    func server() throws -> BillmgrClient {
        BillmgrClient(
            credentials: try config.credentials(),
            transport: CurlTransport(
                connectTimeout: config.connectTimeout, timeout: config.timeout, caFile: config.caFile),
            parallel: config.parallel)
    }

    /// The engine, with its run's lines printed as they happen (`showUnchanged` for commands a
    /// person names items to); under `--json` they wait for the one document at the end.
    func engine(showUnchanged: Bool = false) throws -> LicenseEngine {
        var server = try server()
        let live = output.json ? nil : LiveRun(output: output, showUnchanged: showUnchanged, today: time.today)
        if let live { server.listingProgress = { live.progress($0) } }
        let engine = LicenseEngine(config: config, store: try openStore(), server: server, time: time, command: command)
        engine.observer = live
        return engine
    }

    func registry() throws -> ServiceRegistry {
        ServiceRegistry(config: config, store: try openStore(), time: time, command: command)
    }

    /// Runs `body` with a context; `locking` for commands that may change the remote. `check`
    /// runs first, before the config is read, for command-line values only the command can judge.
    static func run(
        _ options: GlobalOptions, command: String, locking: Bool = false, check: () throws -> Void = {},
        _ body: (CommandContext) throws -> ExitStatus
    ) throws {
        let output = Output(options)
        let status: ExitStatus
        do {
            try check()
            let context = try CommandContext(options: options, command: command, locking: locking)
            status = try body(context)
        } catch {
            let cut = error as? ListingCut
            let status = ExitStatus.of(cut?.cause ?? error)
            let message = String(describing: error)
            if options.json, cut == nil {
                output.errorDocument(code: status.rawValue, message: message)
            } else {
                output.error(message)
            }
            throw ExitCode(status.rawValue)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }
}
