import ArgumentParser
import Foundation
import LicmgrCore

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the config file.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Parse and validate the config, then print the settings it resolves to (never the password).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try CommandContext.run(global, command: "config check") { context in
                let config = context.config
                _ = try config.credentials()
                if let caFile = config.caFile, !FileManager.default.isReadableFile(atPath: caFile) {
                    throw ConfigError.unreadable(file: caFile, reason: "the CAFile cannot be read")
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
                        "settle_after": .int(config.settleAfter),
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
                context.output.line(lines.joined(separator: "\n"))
                return .ok
            }
        }
    }
}
