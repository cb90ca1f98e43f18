import ArgumentParser
import Foundation
import LicmgrCore

extension ServiceCommand {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update services from JSON: an array, or one object per line. All or nothing.",
            discussion: "Keys as in 'service list --json': id, name, ip, package, period, addons, status.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The file to read; '-' or nothing for standard input.")
        var file: String?

        func run() throws {
            try CommandContext.run(global, command: "service import") { context in
                let source = file ?? "-"
                let data: Data
                if source == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let contents = FileManager.default.contents(atPath: source) else {
                        throw InputError.badImport(source: source, location: nil, reason: "cannot read the file")
                    }
                    data = contents
                }
                let name = source == "-" ? "standard input" : source
                let records = try LicmgrCore.ServiceImport.parse(data, source: name)
                let counts = try context.registry().importServices(records, source: name)
                if context.output.json {
                    context.output.document([
                        "added": .int(counts.added), "changed": .int(counts.changed),
                        "unchanged": .int(counts.unchanged),
                    ])
                } else {
                    context.output.line(
                        "imported \(records.count) service(s): \(counts.added) added, \(counts.changed) changed, \(counts.unchanged) unchanged"
                    )
                }
                return .ok
            }
        }
    }
}
