import ArgumentParser
import LicmgrCore

struct RenewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Renew the licenses of the given services now, or with --due every license due.",
        discussion: """
            A license is due when it expires within RenewBefore days. Only licenses of active \
            services are renewed, never trials or lifetime licenses, and never twice for one term. \
            A refused renewal is reported with the remote's text and tried again on a later run \
            only when that can help (insufficient funds).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Service ids.")
    var ids: [Int] = []

    @Flag(help: "Every license that is due, of every active service.")
    var due = false

    @Flag(help: "Say what would be renewed and at what price; change nothing anywhere.")
    var dryRun = false

    func validate() throws {
        if due == !ids.isEmpty { throw ValidationError("give service ids or --due") }
    }

    func run() throws {
        try CommandContext.run(global, command: "renew", locking: true, recorded: !dryRun) { context in
            let report = try context.engine(showUnchanged: !due).renew(serviceIDs: ids, due: due, dryRun: dryRun)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
