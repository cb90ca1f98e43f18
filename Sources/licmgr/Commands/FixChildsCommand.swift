import ArgumentParser
import LicmgrCore

struct FixChildsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixchilds",
        abstract: "Attach the account's licenses to services by IP and tariff, order what is missing, report the rest.",
        discussion: """
            Use it once to take over an account whose licenses were bought before licmgr. Suspended \
            services are served too, unless Option NoFixSuspended is set. Afterwards it lists remote \
            licenses no service uses and services still without a license, with the reason.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Show the whole plan; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "fixchilds", locking: true, recorded: !dryRun) { context in
            let report = try context.engine().fixChilds(dryRun: dryRun)
            context.tally(report.run)
            context.tally(["orphans": report.orphans.count, "unserved": report.unserved.count])
            let output = context.output
            if output.json {
                var object = Rendering.report(report.run)
                object.set("orphans", .array(report.orphans.map { .object(Rendering.unused($0)) }))
                object.set("unused", .object(Rendering.unusedSummary(UnusedTotal(report.orphans))))
                object.set(
                    "unserved",
                    .array(
                        report.unserved.map {
                            [
                                "service_id": .int($0.serviceID), "addon": JSONValue($0.addon),
                                "reason": .string($0.reason),
                            ]
                        }))
                output.document(.object(object))
                return report.run.exitStatus
            }
            Rendering.print(report.run, to: output)
            if !report.orphans.isEmpty {
                output.line("\nLicenses on the account that no service uses:")
                try Table.print(header: ["ID", "NAME", "IP", "TARIFF", "EXPIRES", "PER MONTH"], to: output) { row in
                    for orphan in report.orphans {
                        let license = orphan.license
                        row([
                            String(license.id), license.name, license.ip, String(license.pricelist),
                            license.expires?.description ?? "-",
                            orphan.monthlyCost.map { "\(Money.format($0.amount)) \($0.currency)" } ?? "-",
                        ])
                    }
                }
                output.line(Rendering.unusedLine(UnusedTotal(report.orphans)))
                output.line(
                    "'licmgr park ID...' puts them in the free pool, 'licmgr delete ID... --dry-run' shows what deleting them loses."
                )
            }
            if !report.unserved.isEmpty {
                output.line("\nServices still without a license:")
                for item in report.unserved {
                    output.line("  service \(item.serviceID)\(item.addon.map { " (\($0))" } ?? ""): \(item.reason)")
                }
            }
            return report.run.exitStatus
        }
    }
}
