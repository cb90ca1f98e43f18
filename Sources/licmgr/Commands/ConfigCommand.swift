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
                Once the tariff catalogue is imported, every Price and Period line is also checked \
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
            try CommandContext.run(global, command: "config check") { context in
                let config = context.config
                _ = try config.credentials()
                if let caFile = config.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                    throw ConfigError.unreadable(file: caFile, reason: "the CAFile cannot be read")
                }
                if case .file(let log) = config.log, let reason = RunLog.unwritable(log) {
                    throw ConfigError.unwritable(file: log, reason: "the Log file: \(reason)")
                }
                // Every run records what it did: a database this user cannot make or write fails
                // here, not at the first order.
                if let problem = SQLiteDatabase.writeProblem(at: config.database) { throw problem }
                let source: String
                let catalogue: Catalogue
                var contact: FirstContactReport?
                if remote {
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
                } else if FileManager.default.fileExists(atPath: config.database) {
                    catalogue = try context.openStore().catalogue()
                    source = catalogue.isEmpty ? "none" : "imported"
                } else {
                    catalogue = Catalogue()
                    source = "none"
                }
                let problems = Resolver(config: config, catalogue: catalogue).catalogueProblems()
                // What had to be inferred warns, what cannot be read is an error: after the
                // settings, or before the config's own faults.
                func tellFindings() {
                    guard let contact, !context.output.json else { return }
                    for line in contact.inferred { context.output.warning("remote: \(line)") }
                    for line in contact.unreadable { context.output.error("remote: \(line)") }
                }
                if !problems.isEmpty {
                    tellFindings()
                    if context.output.json {
                        context.output.document([
                            "error": [
                                "code": .int(Int(ExitStatus.config.rawValue)),
                                "message": .string(problems[0].description),
                                "problems": JSONValue(problems.map(\.description)),
                            ]
                        ])
                    } else {
                        for problem in problems { context.output.error(problem.description) }
                    }
                    return .config
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
                if let caFile = config.caFile { lines.append("ca file         \(caFile)") }
                for price in config.prices {
                    lines.append("price           \(price.name) -> tariff \(price.tariff)")
                }
                for period in config.periods {
                    let local = period.local.map(String.init) ?? "ALL"
                    let tariff = period.tariff.map { " (tariff \($0))" } ?? " (any tariff)"
                    lines.append("period          \(local) -> \(period.remote)\(tariff)")
                }
                lines.append(
                    "options         \(config.options.isEmpty ? "-" : config.options.map(\.rawValue).sorted().joined(separator: " "))"
                )
                if !config.reusePackages.isEmpty {
                    lines.append("reuse packages  \(config.reusePackages.map(String.init).joined(separator: " "))")
                }
                lines.append("renew before    \(config.renewBefore) day(s)")
                lines.append("timeouts        connect \(config.connectTimeout) s, total \(config.timeout) s")
                lines.append("settle after    \(config.settleAfter) s")
                lines.append("log             \(RunLog.name(config.log))")
                if let hook = config.hook { lines.append("hook            \(hook) (at most \(config.hookTimeout) s)") }
                if let metrics = config.metricsFile { lines.append("metrics file    \(metrics)") }
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
