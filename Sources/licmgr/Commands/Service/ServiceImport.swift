import ArgumentParser
import FoundationEssentials
import Glibc
import LicmgrCore

extension ServiceCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update services from JSON: an array, or one object per line. All or nothing.",
            discussion: """
                Keys as in 'service list --json': id, name, ip, package, period, addons, status. A key \
                left out leaves that field of a known service as it is; null clears package, period or \
                addons (name, ip and status cannot be null). With --prune, the export is the whole truth: open services it leaves out are closed (their \
                licenses are deleted or parked by the next checkevent). An export that holds no service, \
                or that would close more than 5 services and more than 10% of the open ones, is refused \
                as empty or truncated unless --prune-max allows that many.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The file to read; '-' or nothing for standard input.", completion: .file())
        var file: String?

        @Flag(help: "Close the open services the export leaves out.")
        var prune = false

        @Option(
            help: ArgumentHelp(
                "With --prune: close at most this many, instead of refusing an empty or truncated-looking export.",
                valueName: "n"))
        var pruneMax: Int?

        @Flag(
            help:
                "Check the whole import and list what it would add, change and close, and what the next checkevent would spend; change nothing."
        )
        var dryRun = false

        func validate() throws {
            if pruneMax != nil && !prune { throw ValidationError("--prune-max goes with --prune") }
            if let pruneMax, pruneMax < 0 { throw ValidationError("--prune-max takes a number of services, 0 or more") }
        }

        func run() throws {
            try CommandContext.run(global, command: "service import") { context in
                let source = file ?? "-"
                let data: Data
                if source == "-" {
                    data = Data(FileDescriptor.standardInput.readToEnd())
                } else {
                    guard let contents = FileManager.default.contents(atPath: source) else {
                        var info = stat()
                        let reason =
                            stat(source, &info) != 0
                            ? "no such file"
                            : (info.st_mode & S_IFMT) == S_IFDIR ? "it is a directory" : "permission denied"
                        throw InputError.unreadableFile(path: source, reason: reason)
                    }
                    data = contents
                }
                let name = source == "-" ? "standard input" : source
                let records = try LicmgrCore.ServiceImport.parse(data, source: name)
                let result = try context.registry().importServices(
                    records, source: name, prune: prune ? PruneGuard(max: pruneMax) : nil, dryRun: dryRun)
                if context.output.json {
                    context.output.document(.object(ImportRendering.json(result, dryRun: dryRun)))
                    return .ok
                }
                for change in result.changes { context.output.line(ImportRendering.line(change, dryRun: dryRun)) }
                let money = ImportRendering.money(result).map { "; \($0)" } ?? ""
                context.output.line(
                    "\(dryRun ? "would import" : "imported") \(records.count) service(s): \(result.added) added, "
                        + "\(result.changed) changed, \(result.unchanged) unchanged"
                        + (prune ? ", \(result.closed.count) closed" : "") + money)
                if !dryRun && !result.closed.isEmpty {
                    context.output.line(
                        "the next checkevent deletes or parks their licenses ('licmgr service close ID... --now' does it at once)"
                    )
                }
                return .ok
            }
        }
    }
}
