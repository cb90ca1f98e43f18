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

    func validate() throws {
        if license != nil && service != nil {
            throw ValidationError("give a license id or --service ID, not both")
        }
    }

    func run() throws {
        try CommandContext.run(global, command: "history") { context in
            let store = try context.openStore()
            if let service, try store.service(service) == nil { throw InputError.unknownService(service) }
            if let license, try store.license(license) == nil { throw InputError.unknownLicense(String(license)) }
            if context.output.json {
                try context.output.array { element in
                    try store.forEachHistoryEntry(serviceID: service, licenseID: license) { entry in
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
                to: context.output
            ) { row in
                try store.forEachHistoryEntry(serviceID: service, licenseID: license) { entry in
                    row([
                        entry.at, entry.command, entry.serviceID.map(String.init) ?? "-",
                        entry.licenseID.map(String.init) ?? "-", entry.action, entry.result, entry.detail,
                    ])
                }
            }
            return .ok
        }
    }
}
