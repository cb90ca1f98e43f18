import ArgumentParser
import LicmgrCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List licenses as last seen on the remote (run 'licmgr sync' to refresh).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only the free pool: licenses parked as free.lic on 0.0.0.0.")
    var free = false

    @Option(help: ArgumentHelp("Only the licenses of this service.", valueName: "id"))
    var service: Int?

    @Flag(help: "Include licenses that are gone from the remote list.")
    var all = false

    @Option(
        help: ArgumentHelp("Only live licenses that expire within this many days, soonest first.", valueName: "days"))
    var expiring: Int?

    func validate() throws {
        if let expiring, expiring < 0 { throw ValidationError("--expiring takes a number of days, 0 or more") }
    }

    func run() throws {
        try CommandContext.run(global, command: "list") { context in
            let store = try context.openStore()
            var licenses = try store.allLicenses()
            if let service {
                guard try store.service(service) != nil else { throw InputError.unknownService(service) }
                licenses = licenses.filter { $0.serviceID == service }
            }
            if free { licenses = licenses.filter { $0.isLive && $0.isParked } }
            if !all { licenses = licenses.filter { !$0.gone } }
            if let expiring {
                let limit = context.time.today.adding(days: expiring)
                licenses = licenses.filter { $0.isLive && $0.expires.map { $0 <= limit } == true }
                    .sorted { ($0.expires!, $0.id) < ($1.expires!, $1.id) }
            }
            if context.output.json {
                context.output.document(.array(licenses.map { .object(Rendering.license($0)) }))
            } else if !licenses.isEmpty {
                let rows = licenses.map { license in
                    [
                        String(license.id), license.name, license.ip, String(license.pricelist),
                        license.period.map(String.init) ?? "-", license.gone ? "gone" : license.status.name,
                        license.expires?.description ?? "-", license.serviceID.map(String.init) ?? "-",
                    ]
                }
                context.output.line(
                    Table.render(
                        header: ["ID", "NAME", "IP", "TARIFF", "PERIOD", "STATUS", "EXPIRES", "SERVICE"], rows: rows))
            }
            return .ok
        }
    }
}

/// Plain aligned columns for terminals; scripts use `--json`.
enum Table {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1
                    ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
