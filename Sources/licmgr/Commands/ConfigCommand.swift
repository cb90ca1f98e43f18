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
                (exit 78). --remote logs in and checks them against the catalogue as the remote \
                sells it now, storing nothing.
                """)

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Also log in and check every Price and Period line against the remote's catalogue, read now.")
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
                let source: String
                let catalogue: Catalogue
                if remote {
                    let tariffs = try context.server().exportTariffs()
                    catalogue = Catalogue(
                        tariffs: Dictionary(tariffs.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }))
                    source = "remote"
                } else if FileManager.default.fileExists(atPath: config.database) {
                    catalogue = try context.openStore().catalogue()
                    source = catalogue.isEmpty ? "none" : "imported"
                } else {
                    catalogue = Catalogue()
                    source = "none"
                }
                let problems = Resolver(config: config, catalogue: catalogue).catalogueProblems()
                if !problems.isEmpty {
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
                    context.output.document([
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
                    ])
                    return .ok
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
                context.output.line(lines.joined(separator: "\n"))
                return .ok
            }
        }
    }
}
