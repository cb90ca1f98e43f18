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
            context.tally(report)
            // The key is what was asked for: null until one was made and read.
            let key = report.count(.edited) > 0 ? try context.openStore().license(license)?.key : nil
            if context.output.json {
                if let warning { report.prepend(warning: warning) }
                var object = Rendering.report(report)
                object.set("key", JSONValue(key))
                context.output.document(.object(object))
            } else {
                Rendering.print(report, to: context.output)
                // Under --quiet the report's line is dropped but not the key: the key alone.
                if context.output.quiet, let key { context.output.data(key) }
            }
            return report.exitStatus
        }
    }
}
