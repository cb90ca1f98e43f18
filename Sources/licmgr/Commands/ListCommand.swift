import ArgumentParser
import LicmgrCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List licenses as last seen on the remote (run 'licmgr sync' to refresh).")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Only the free pool: licenses parked as free.lic on 0.0.0.0, and when each becomes reusable.")
    var free = false

    @Flag(
        help: "Only unused licenses: live, serving no service, not parked; with what each costs a month and the total.")
    var unused = false

    @Option(help: ArgumentHelp("Only the licenses of this service.", valueName: "id"))
    var service: Int?

    @Flag(help: "Include deleted licenses and those gone from the remote list.")
    var all = false

    @Option(
        help: ArgumentHelp("Only live licenses that expire within this many days, soonest first.", valueName: "days"))
    var expiring: Int?

    func validate() throws {
        if let expiring, expiring < 0 { throw ValidationError("--expiring takes a number of days, 0 or more") }
        if unused && (free || service != nil) {
            throw ValidationError(
                "--unused lists licenses no service uses outside the free pool: not with --free or --service")
        }
    }

    /// What an empty listing says on a terminal.
    var emptyLine: String {
        if free { return "no licenses in the free pool" }
        if let expiring { return "no license expires within \(expiring) days" }
        if let service { return "service \(service) has no \(all ? "" : "live ")licenses" }
        return "no licenses; run 'licmgr sync'"
    }

    func run() throws {
        try CommandContext.run(global, command: "list") { context in
            let store = try context.readStore()
            if unused { return try listUnused(store, context: context) }
            if let service, try store.service(service) == nil { throw InputError.unknownService(service) }
            let limit = expiring.map { context.time.today.adding(days: $0) }
            func shown(_ license: License) -> Bool {
                if free && !(license.isLive && license.isParked) { return false }
                if !all && !license.isLive { return false }
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
            // Soonest first: every match is read, once, before the first is printed.
            var due: [License]?
            func forEachShown(_ body: (License) throws -> Void) throws {
                guard limit != nil else { return try forEachCandidate { if shown($0) { try body($0) } } }
                if due == nil {
                    var found: [License] = []
                    try forEachCandidate { if shown($0) { found.append($0) } }
                    due = found.sorted { ($0.expires!, $0.id) < ($1.expires!, $1.id) }
                }
                try due?.forEach(body)
            }
            let today = context.time.today
            if context.output.json {
                try context.output.array { element in
                    try forEachShown { license in
                        element(
                            .object(free ? Rendering.freeLicense(license, today: today) : Rendering.license(license)))
                    }
                }
                return .ok
            }
            let catalogue = try store.catalogue()
            let header = ["ID", "NAME", "IP", "TARIFF", "PERIOD", "STATUS", "EXPIRES", "SERVICE"]
            try Table.print(header: header + (free ? ["REUSABLE"] : []), to: context.output, empty: emptyLine) { row in
                try forEachShown { license in
                    let cells = [
                        String(license.id), license.name, license.ip, String(license.pricelist),
                        catalogue.periodName(license.period, of: license.pricelist),
                        license.gone ? "gone" : license.status.name,
                        license.expires?.description ?? "-", license.serviceID.map(String.init) ?? "-",
                    ]
                    row(cells + (free ? [Rendering.reusable(FreePool.reusability(license, today: today))] : []))
                }
            }
            return .ok
        }
    }

    /// Unused licenses as `list` shows licenses, with their monthly cost, then the total.
    private func listUnused(_ store: SQLiteStore, context: CommandContext) throws -> ExitStatus {
        var rows = try UnusedLicenses.read(from: store)
        if let expiring {
            let limit = context.time.today.adding(days: expiring)
            rows = rows.filter { $0.license.expires.map { $0 <= limit } == true }
                .sorted { ($0.license.expires!, $0.license.id) < ($1.license.expires!, $1.license.id) }
        }
        if context.output.json {
            try context.output.array { element in
                for row in rows { element(.object(Rendering.unused(row))) }
            }
            return .ok
        }
        let catalogue = try store.catalogue()
        try Table.print(
            header: ["ID", "NAME", "IP", "TARIFF", "PERIOD", "STATUS", "EXPIRES", "PER MONTH"], to: context.output
        ) { row in
            for item in rows {
                let license = item.license
                row([
                    String(license.id), license.name, license.ip, String(license.pricelist),
                    catalogue.periodName(license.period, of: license.pricelist), license.status.name,
                    license.expires?.description ?? "-",
                    item.monthlyCost.map { "\(Money.format($0.amount)) \($0.currency)" } ?? "-",
                ])
            }
        }
        context.output.line(Rendering.unusedLine(UnusedTotal(rows)))
        return .ok
    }
}
