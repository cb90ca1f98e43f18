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
            let engine = try context.engine()
            // Said before the key is asked for, since the restart cannot be undone.
            let warning = try engine.newKeyWarning(license: license)
            if let warning, !context.output.json { context.output.warning(warning) }
            var report = try engine.newKey(license: license, dryRun: dryRun)
            if let warning, context.output.json { report.warnings.insert(warning, at: 0) }
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}
