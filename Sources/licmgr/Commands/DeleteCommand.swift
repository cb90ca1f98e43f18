import ArgumentParser
import LicmgrCore

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete unused licenses on the remote; the time paid for them is lost.",
        discussion: """
            Only a license no service uses may be deleted ('licmgr list --unused' shows them). \
            Look at --dry-run first, then run again with --yes. Each deletion is journaled before \
            it is sent; a license already deleted is reported and nothing is sent for it.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "License ids.")
    var licenses: [Int]

    @Flag(help: "Say what would be deleted and what it costs a month; change nothing anywhere.")
    var dryRun = false

    @Flag(help: "Delete for real: the licenses' paid time is lost.")
    var yes = false

    func run() throws {
        try CommandContext.run(global, command: "delete", locking: !dryRun && yes) { context in
            guard dryRun || yes else {
                throw UsageError(
                    "deleting loses the time paid for the licenses: look at 'licmgr delete \(licenses.map(String.init).joined(separator: " ")) --dry-run' first, then add --yes"
                )
            }
            let report = try context.engine(showUnchanged: true).deleteLicenses(licenses, dryRun: dryRun)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
