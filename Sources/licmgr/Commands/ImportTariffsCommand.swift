import ArgumentParser
import LicmgrCore

struct ImportTariffsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-tariffs",
        abstract: "Fetch the remote tariff catalogue, store it, and print Price/Period lines to paste.",
        discussion: """
            Once imported, dry runs show prices, periods resolve by what the remote sells, and a \
            tariff id in an addon name must be one the catalogue lists. Run it again to pick up \
            changes; tariffs the remote stopped selling are marked gone. Every line printed is a \
            comment or a directive, so the output can be appended to licmgr.conf as it is.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Fetch and print; store nothing.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "import-tariffs", locking: !dryRun) { context in
            let report = try context.engine().importTariffs(dryRun: dryRun)
            context.tally([
                "tariffs": report.tariffs.count, "added": report.added.count, "changed": report.changed.count,
                "vanished": report.vanished.count,
            ])
            let output = context.output
            if output.json {
                output.document([
                    "tariffs": .array(
                        report.tariffs.map { tariff in
                            [
                                "id": .int(tariff.id), "name": .string(tariff.name), "active": .bool(tariff.active),
                                "item_type": .string(tariff.itemType), "currency": .string(tariff.currency),
                                "periods": .array(
                                    tariff.periods.map {
                                        [
                                            "id": .int($0.id), "type": .string($0.type), "length": .int($0.length),
                                            "cost": JSONValue(money: Money.price($0.cost)),
                                        ]
                                    }),
                            ]
                        }),
                    "added": JSONValue(report.added), "changed": JSONValue(report.changed),
                    "vanished": JSONValue(report.vanished), "dry_run": .bool(report.dryRun),
                ])
                return .ok
            }
            output.line(TariffSuggestions.lines(for: report.tariffs).joined(separator: "\n"))
            let summary =
                "\(report.tariffs.count) tariff(s): \(report.added.count) new, \(report.changed.count) changed, "
                + "\(report.vanished.count) gone\(report.vanished.isEmpty ? "" : " (\(report.vanished.map(String.init).joined(separator: ", ")))")"
                + (report.dryRun ? "; nothing stored (dry run)" : "")
            output.line("# " + summary)
            return .ok
        }
    }
}
