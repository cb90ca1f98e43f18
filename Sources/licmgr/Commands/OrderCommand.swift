import ArgumentParser
import LicmgrCore

struct OrderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "Give each service the licenses its addons need: attach one, reuse a free one, or buy one.",
        discussion: """
            A service that has its license already is left alone; a live license on the account with \
            the service's IP and tariff is attached at no cost; only otherwise is a license bought.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Service ids.")
    var ids: [Int]

    @Flag(help: "Say what would be done; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "order", locking: true, recorded: !dryRun) { context in
            let report = try context.engine(showUnchanged: true).order(serviceIDs: ids, dryRun: dryRun)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
