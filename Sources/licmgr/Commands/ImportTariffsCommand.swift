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
            let output = context.output
            if output.json {
                output.document(
                    [
                        "tariffs": report.tariffs.map { tariff in
                            [
                                "id": tariff.id, "name": tariff.name, "active": tariff.active,
                                "item_type": tariff.itemType,
                                "currency": tariff.currency,
                                "periods": tariff.periods.map {
                                    ["id": $0.id, "type": $0.type, "length": $0.length, "cost": $0.cost]
                                        as [String: Any]
                                },
                            ] as [String: Any]
                        },
                        "added": report.added, "changed": report.changed, "vanished": report.vanished,
                        "dry_run": report.dryRun,
                    ] as [String: Any])
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
