import ArgumentParser
import LicmgrCore

struct ParkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "park",
        abstract: "Park unused licenses in the free pool (suspended, free.lic on 0.0.0.0) for reuse.",
        discussion: """
            Only a license no service uses may be parked ('licmgr list --unused' shows them). Each \
            is journaled as one workflow: a run cut off half-way is finished by the next run.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "License ids.")
    var licenses: [Int]

    @Flag(help: "Say what would be done; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "park", locking: !dryRun) { context in
            let report = try context.engine(showUnchanged: true).parkLicenses(licenses, dryRun: dryRun)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
