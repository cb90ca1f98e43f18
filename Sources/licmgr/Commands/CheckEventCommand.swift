import ArgumentParser
import LicmgrCore

struct CheckEventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkevent",
        abstract: "The cron run: settle, follow services, order what is missing, renew what is due.",
        discussion: """
            Run it every five minutes. It prints nothing when nothing happened (cron mails what is \
            printed); -v tells what it looked at. A second run while one is active exits 75 at once.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Say what this run would do; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "checkevent", locking: true, recorded: !dryRun) { context in
            let report = try context.engine().checkEvent(dryRun: dryRun)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
