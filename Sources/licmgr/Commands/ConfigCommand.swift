import ArgumentParser
import FoundationEssentials
import LicmgrCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Parse and validate the config, then print the settings it resolves to (never the password).",
            discussion: """
                Every fault is reported, each on a line naming the file and line, and the exit code is \
                78 (77 for a password others may read); a directive repeated with the same value is no \
                fault. Once the tariff catalogue is imported, every Price and Period line is also checked \
                against it: a tariff or period the remote does not sell is an error naming the line \
                (exit 78). --remote is the probe to run before the first order: it logs in with \
                authinfo and with func=auth, reads the balance, the catalogue, a page of each listing \
                and one license, checks the lines against the catalogue as the remote sells it now, \
                and says what it read, what it had to infer (warnings) and what it cannot read \
                (errors, exit 76). It sends reads only and stores nothing.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Also probe the remote, reads only: log in, read the balance, catalogue, lists and a license.")
        var remote = false

        func run() throws {
            let checked = ConfigParser().check(
                path: CommandContext.configPath(global), passwordOverride: CommandContext.passwordOverride)
            try CommandContext.run(global, command: "config check", config: checked.config) { context in
                let config = context.config
                var faults = checked.faults
                if case .file(let log) = config.log, let line = config.lines["Log"], let reason = RunLog.unwritable(log)
                {
                    faults.append(
                        .unusable(
                            file: config.path, line: line, directive: "Log", path: log,
                            reason: "cannot write: \(reason)"))
                }
                if let program = config.serviceSource?.first, let line = config.lines["ServiceSource"],
                    let reason = Self.notExecutable(program)
                {
                    faults.append(
                        .unusable(
                            file: config.path, line: line, directive: "ServiceSource", path: program, reason: reason))
                }
                // Every run records what it did: a database this user cannot make or write fails
                // here, not at the first order.
                let database = SQLiteDatabase.writeProblem(at: config.database)
                let source: String
                let catalogue: Catalogue
                var contact: FirstContactReport?
                // A config at fault is not taken to the remote: its faults are what to put right first.
                if remote && faults.isEmpty {
                    let credentials = try config.credentials()
                    let named = config.prices.map(\.tariff) + config.periods.compactMap(\.tariff)
                    let report = try FirstContact(
                        credentials: credentials, transport: context.transport(password: credentials.password),
                        configTariffs: Set(named)
                    ).run()
                    contact = report
                    catalogue = Catalogue(
                        tariffs: Dictionary(report.tariffs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
                    source = "remote"
                } else if database == nil, FileManager.default.fileExists(atPath: config.database) {
                    catalogue = try context.openStore().catalogue()
                    source = catalogue.isEmpty ? "none" : "imported"
                } else {
                    catalogue = Catalogue()
                    source = "none"
                }
                faults += Resolver(config: config, catalogue: catalogue).catalogueProblems()
                // In line order; what no line names (a setting missing, a password file) last.
                let ordered = faults.enumerated().sorted {
                    ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset)
                }.map(\.element)
                let problems = ordered.map(\.description) + (database.map { [$0.description] } ?? [])
                // What had to be inferred warns, what cannot be read is an error: after the
                // settings, or before the config's own faults.
                func tellFindings() {
                    guard let contact, !context.output.json else { return }
                    for line in contact.inferred { context.output.warning("remote: \(line)") }
                    for line in contact.unreadable { context.output.error("remote: \(line)") }
                }
                if !problems.isEmpty {
                    tellFindings()
                    // A password others may read keeps its own code, whatever else is wrong, and
                    // a database alone its own (74).
                    let status: ExitStatus =
                        ordered.contains { ExitStatus.of($0) == .noPermission }
                        ? .noPermission : ordered.isEmpty ? database.map(ExitStatus.of) ?? .config : .config
                    if context.output.json {
                        context.output.document([
                            "error": [
                                "code": .int(Int(status.rawValue)),
                                "message": .string(problems[0]),
                                "problems": JSONValue(problems),
                            ]
                        ])
                    } else {
                        for problem in problems { context.output.error(problem) }
                    }
                    return status
                }
                // Not errors: the run that calls the hook or writes the file only warns too.
                if let hook = config.hook, !FileManager.default.isExecutableFile(atPath: hook) {
                    context.output.warning("Hook \(hook) is not an executable file; runs will warn until it is")
                }
                if let metrics = config.metricsFile {
                    let directory = Path.parent(of: metrics)
                    if !FileManager.default.isWritableFile(atPath: directory) {
                        context.output.warning("MetricsFile \(metrics): cannot write in \(directory)")
                    }
                }
                let password: String
                switch config.passwordSource {
                case .none: password = "not set"
                case .line(let line): password = "set (Password, line \(line))"
                case .file(let path): password = "set (PasswordFile \(path))"
                case .environment: password = "set (\(ConfigParser.passwordVariable))"
                }
                if context.output.json {
                    var document: JSONObject = [
                        "path": .string(config.path), "url": JSONValue(config.url), "user": JSONValue(config.user),
                        "password": .string(password), "database": .string(config.database),
                        "ca_file": JSONValue(config.caFile),
                        "prices": .array(config.prices.map { ["name": .string($0.name), "tariff": .int($0.tariff)] }),
                        "periods": .array(
                            config.periods.map {
                                [
                                    "local": JSONValue($0.local), "remote": .int($0.remote),
                                    "tariff": JSONValue($0.tariff),
                                ]
                            }),
                        "options": JSONValue(config.options.map(\.rawValue).sorted()),
                        "reuse_packages": JSONValue(config.reusePackages), "renew_before": .int(config.renewBefore),
                        "connect_timeout": .int(config.connectTimeout), "timeout": .int(config.timeout),
                        "settle_after": .int(config.settleAfter), "log": .string(RunLog.name(config.log)),
                        "catalogue": .string(source),
                        "hook": JSONValue(config.hook), "hook_timeout": .int(config.hookTimeout),
                        "metrics_file": JSONValue(config.metricsFile),
                        "spend_limit": JSONValue(money: config.spendLimit),
                        "parallel": .int(config.parallel),
                        "service_source": config.serviceSource.map { JSONValue($0) } ?? .null,
                        "service_source_timeout": .int(config.serviceSourceTimeout),
                        "tariffs_checked": .int(catalogue.tariffs.count),
                    ]
                    for member in Self.json(contact).members { document.set(member.key, member.value) }
                    context.output.document(.object(document))
                    return contact?.ok == false ? .protocol : .ok
                }
                var lines = [
                    "config          \(config.path): ok",
                    "url             \(config.url ?? "-")",
                    "user            \(config.user ?? "-")",
                    "password        \(password)",
                    "database        \(config.database)",
                ]
                lines.append("ca file         \(config.caFile ?? "- (the system's certificate authorities)")")
                if config.prices.isEmpty { lines.append("price           -") }
                for price in config.prices {
                    lines.append("price           \(price.name) -> tariff \(price.tariff)")
                }
                if config.periods.isEmpty { lines.append("period          -") }
                for period in config.periods {
                    let local = period.local.map(String.init) ?? "ALL"
                    let tariff = period.tariff.map { " (tariff \($0))" } ?? " (any tariff)"
                    lines.append("period          \(local) -> \(period.remote)\(tariff)")
                }
                lines.append(
                    "options         \(config.options.isEmpty ? "-" : config.options.map(\.rawValue).sorted().joined(separator: " "))"
                )
                lines.append(
                    "reuse packages  "
                        + (config.reusePackages.isEmpty
                            ? "-" : config.reusePackages.map(String.init).joined(separator: " ")))
                lines.append("renew before    \(config.renewBefore) day(s)")
                lines.append("timeouts        connect \(config.connectTimeout) s, total \(config.timeout) s")
                lines.append("settle after    \(config.settleAfter) s")
                lines.append(
                    "spend limit     "
                        + (config.spendLimit.map { "\(Money.format($0)) in 24 hours (the catalogue's currency)" }
                            ?? "- (none)"))
                lines.append("parallel        \(config.parallel) remote call(s) in flight")
                lines.append("log             \(RunLog.name(config.log))")
                lines.append(
                    "hook            " + (config.hook.map { "\($0) (at most \(config.hookTimeout) s)" } ?? "-"))
                lines.append("metrics file    \(config.metricsFile ?? "-")")
                lines.append(
                    "service source  "
                        + (config.serviceSource.map {
                            "\($0.joined(separator: " ")) (at most \(config.serviceSourceTimeout) s)"
                        } ?? "-"))
                switch source {
                case "remote":
                    lines.append("catalogue       \(catalogue.tariffs.count) tariff(s) read from the remote: lines ok")
                case "imported": lines.append("catalogue       \(catalogue.tariffs.count) tariff(s) imported: lines ok")
                default:
                    lines.append(
                        "catalogue       not imported: tariffs and periods unchecked "
                            + "(run 'licmgr import-tariffs' or 'licmgr config check --remote')")
                }
                for line in contact?.understood ?? [] { lines.append("remote          \(line)") }
                context.output.line(lines.joined(separator: "\n"))
                tellFindings()
                return contact?.ok == false ? .protocol : .ok
            }
        }

        /// Why `path` cannot be run as a program, or nil when it can.
        static func notExecutable(_ path: String) -> String? {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
            if isDirectory { return "is a directory" }
            return FileManager.default.isExecutableFile(atPath: path) ? nil : "is not executable"
        }

        /// What the first contact found, as the settings document's `--remote` keys.
        static func json(_ contact: FirstContactReport?) -> JSONObject {
            guard let contact else { return [:] }
            return [
                "ok": .bool(contact.ok), "understood": JSONValue(contact.understood),
                "inferred": JSONValue(contact.inferred), "unreadable": JSONValue(contact.unreadable),
                "balance": JSONValue(money: contact.balance?.amount), "currency": JSONValue(contact.currency),
                "balance_currency": JSONValue(contact.balance?.currency), "tariffs": .int(contact.tariffCount),
                "licenses_seen": .int(contact.licensesSeen),
                "families": JSONValue(contact.families.map(\.rawValue)), "viewed": JSONValue(contact.viewed),
                "sessions": .bool(contact.sessions), "money_decimals": JSONValue(contact.moneyDecimals),
            ]
        }
    }
}
