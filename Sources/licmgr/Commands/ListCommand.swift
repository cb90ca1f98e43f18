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
            if let service, try store.service(service) == nil { throw InputError.unknownService(service) }
            let limit = expiring.map { context.time.today.adding(days: $0) }
            func shown(_ license: License) -> Bool {
                if free && !(license.isLive && license.isParked) { return false }
                if !all && license.gone { return false }
                if let limit { return license.isLive && license.expires.map { $0 <= limit } == true }
                return true
            }
            func forEachCandidate(_ body: (License) throws -> Void) throws {
                if let service {
                    for license in try store.licenses(serviceID: service) { try body(license) }
                } else {
                    try store.forEachLicense(body)
                }
            }
            func forEachShown(_ body: (License) throws -> Void) throws {
                guard limit != nil else { return try forEachCandidate { if shown($0) { try body($0) } } }
                // Soonest first: every match is read before the first is printed.
                var due: [License] = []
                try forEachCandidate { if shown($0) { due.append($0) } }
                for license in due.sorted(by: { ($0.expires!, $0.id) < ($1.expires!, $1.id) }) { try body(license) }
            }
            if context.output.json {
                try context.output.array { element in
                    try forEachShown { element(.object(Rendering.license($0))) }
                }
                return .ok
            }
            var rows: [[String]] = []
            try forEachShown { license in
                rows.append([
                    String(license.id), license.name, license.ip, String(license.pricelist),
                    license.period.map(String.init) ?? "-", license.gone ? "gone" : license.status.name,
                    license.expires?.description ?? "-", license.serviceID.map(String.init) ?? "-",
                ])
            }
            if !rows.isEmpty {
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
