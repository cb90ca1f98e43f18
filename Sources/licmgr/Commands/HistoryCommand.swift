import ArgumentParser
import LicmgrCore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show what was done, when, by which command, with what result.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only the entries of this license id.")
    var license: Int?

    @Option(help: ArgumentHelp("Only the entries of this service.", valueName: "id"))
    var service: Int?

    // Read as text, so that a bad value is one line naming the flag (exit 64) like any other.
    @Option(help: ArgumentHelp("Only the entries of this day (UTC) and later.", valueName: "yyyy-mm-dd"))
    var since: String?

    @Option(help: ArgumentHelp("Only the last n entries (still oldest first).", valueName: "n"))
    var limit: String?

    func validate() throws {
        if license != nil && service != nil {
            throw ValidationError("give a license id or --service ID, not both")
        }
    }

    /// `--since` as a day, `--limit` as a count, or a usage error naming the flag and value.
    func bounds() throws -> (since: Day?, limit: Int?) {
        var day: Day?
        if let since {
            guard since.utf8.count == 10, let parsed = Day(since) else {
                throw UsageError("--since takes a date as YYYY-MM-DD, not '\(since)'")
            }
            day = parsed
        }
        var count: Int?
        if let limit {
            guard let parsed = Int(limit), parsed > 0 else {
                throw UsageError("--limit takes a number of entries, 1 or more, not '\(limit)'")
            }
            count = parsed
        }
        return (day, count)
    }

    func run() throws {
        try CommandContext.run(global, command: "history", check: { _ = try bounds() }) { context in
            let (since, limit) = try bounds()
            let store = try context.readStore()
            if let service, try store.service(service) == nil { throw InputError.unknownService(service) }
            if let license, try store.license(license) == nil { throw InputError.unknownLicense(String(license)) }
            func forEachEntry(_ body: (HistoryEntry) throws -> Void) throws {
                try store.forEachHistoryEntry(serviceID: service, licenseID: license, since: since, limit: limit, body)
            }
            if context.output.json {
                try context.output.array { element in
                    try forEachEntry { entry in
                        element([
                            "at": .string(entry.at), "command": .string(entry.command),
                            "service_id": JSONValue(entry.serviceID), "license_id": JSONValue(entry.licenseID),
                            "action": .string(entry.action), "result": .string(entry.result),
                            "detail": .string(entry.detail),
                        ])
                    }
                }
                return .ok
            }
            try Table.print(
                header: ["WHEN (UTC)", "COMMAND", "SERVICE", "LICENSE", "ACTION", "RESULT", "DETAIL"],
                to: context.output, empty: emptyLine(since: since)
            ) { row in
                try forEachEntry { entry in
                    row([
                        entry.at, entry.command, entry.serviceID.map(String.init) ?? "-",
                        entry.licenseID.map(String.init) ?? "-", entry.action, entry.result, entry.detail,
                    ])
                }
            }
            return .ok
        }
    }

    /// What an empty history says on a terminal.
    private func emptyLine(since: Day?) -> String {
        var text = "no history"
        if let license { text += " of license \(license)" }
        if let service { text += " of service \(service)" }
        if let since { text += " since \(since)" }
        return text
    }
}
