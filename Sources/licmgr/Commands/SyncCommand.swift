import ArgumentParser
import LicmgrCore

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read every license on the remote account and refresh what licmgr knows of them.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try CommandContext.run(global, command: "sync", locking: true) { context in
            let report = try context.engine().sync()
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
