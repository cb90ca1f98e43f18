/// `ServiceSource`: the program `checkevent` runs first to read the local billing's services.
/// It is run as the hook is (no shell, from `/`, only the environment it is given, bounded in
/// time) and what it prints is applied as `service import --prune` applies a file, with the
/// same strictness and the same guard against an empty or truncated export. A program that
/// cannot run, fails, overruns its time or prints what the import refuses changes nothing.
public struct ServiceSource: Sendable {
    /// The most a program may print: some 200 bytes a service, a million services and more.
    public static let outputLimit = 256 << 20

    /// The program, then its arguments.
    public var command: [String]
    public var timeout: Int
    public var environment: [String: String]

    /// The config's `ServiceSource`, nil when it has none.
    public init?(config: Config, environment: [String: String]) {
        guard let command = config.serviceSource, !command.isEmpty else { return nil }
        self.command = command
        timeout = config.serviceSourceTimeout
        self.environment = environment
    }

    /// How messages and history name it: `ServiceSource /usr/local/libexec/licmgr-whmcs`.
    public var name: String { "ServiceSource \(command[0])" }

    /// Runs the program and imports what it printed through `registry`, pruning; with `dryRun`
    /// only says what would change. Only a fault of licmgr's own (the database) is thrown.
    public func apply(to registry: ServiceRegistry, dryRun: Bool) throws -> ServiceSourceOutcome {
        let runner = HookRunner(path: command[0], arguments: Array(command.dropFirst()), timeout: Double(timeout))
        let (outcome, output) = runner.capture(environment: environment, limit: Self.outputLimit)
        guard outcome.succeeded else {
            let status: ExitStatus
            if case .notStarted = outcome { status = .config } else { status = .temporary }
            return ServiceSourceOutcome(
                program: command[0],
                failure: .init(
                    message: "\(name) \(outcome.summary); the services are left as they were", status: status))
        }
        do {
            let records = try ServiceImport.parse(output, source: name)
            let result = try registry.importServices(records, source: name, prune: PruneGuard(), dryRun: dryRun)
            return ServiceSourceOutcome(program: command[0], result: result)
        } catch InputError.pruneRefused(_, let closing, let open, let reason) {
            let words = command.map { $0.contains(where: \.isWhitespace) ? "'\($0)'" : $0 }.joined(separator: " ")
            return ServiceSourceOutcome(
                program: command[0],
                failure: .init(
                    message: "\(name): its services would close \(closing) of \(open) open services, \(reason); "
                        + "nothing was imported; if that is meant, import them once by hand: "
                        + "'\(words) | licmgr service import --prune --prune-max \(closing)'",
                    status: .dataError))
        } catch let error as InputError {
            return ServiceSourceOutcome(program: command[0], failure: .init(message: "\(error)", status: .of(error)))
        } catch let error as ConfigError {
            return ServiceSourceOutcome(program: command[0], failure: .init(message: "\(error)", status: .of(error)))
        }
    }
}

/// What a run's `ServiceSource` did: what it imported, or why it changed nothing.
public struct ServiceSourceOutcome: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        /// One line, naming the program.
        public var message: String
        /// 78 for a program that cannot be started, 75 for one that failed or overran, 65 (78
        /// for a config line) for output the import refused.
        public var status: ExitStatus
    }

    /// The program's path.
    public var program: String
    /// What was imported, or would be under a dry run; nil when it failed.
    public var result: ImportResult?
    public var failure: Failure?

    public init(program: String, result: ImportResult? = nil, failure: Failure? = nil) {
        self.program = program
        self.result = result
        self.failure = failure
    }
}
