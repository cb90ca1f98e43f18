import ArgumentParser
import LicmgrCore

struct NewKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "newkey",
        abstract: "Make a new key for a license (the old one stops working).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A license id.")
    var license: Int

    @Flag(help: "Say what would be done; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "newkey", locking: !dryRun) { context in
            let report = try context.engine().newKey(license: license, dryRun: dryRun)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
