import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// The core lifecycle against a simulator that answers in each dialect of the remote: the
/// classic one, each trait the real server is believed to have, and every trait at once.
/// Assertions read licmgr's database and the simulator's canonical state, never the wire, so
/// one scenario proves every dialect.
final class DialectLifecycleAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    static let dialects = [
        "classic", "money4", "funds", "tariff-names", "itemtype-ids", "session-access", "bm6-columns", "paging",
        "addons", "redirects", "worded", "bare-forms", "all",
    ]

    /// Runs `scenario` once per dialect, each on a fresh simulator and workspace. Pages of three
    /// rows make every listing of more than three licenses span pages.
    private func inEachDialect(_ scenario: () throws -> Void) throws {
        for dialect in Self.dialects {
            sim.stop()
            sim = try SimServer(arguments: ["--dialect", dialect, "--max-page", "3"])
            work = try Workspace()
            try work.writeConfig(url: sim.url)
            current = dialect
            defer { current = nil }
            do {
                try scenario()
            } catch {
                XCTFail("stopped by \(error)")
            }
        }
    }

    /// The dialect of the scenario running, named in each failure.
    private var current: String?

    override func recordFailure(
        withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool
    ) {
        let dialect = current.map { "[dialect \($0)] " } ?? ""
        super.recordFailure(
            withDescription: dialect + description, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    func testTakeoverAttachesWhatExistsAndOrdersOnlyWhatIsMissing() throws {
        try inEachDialect(scenarioTakeoverAttachesWhatExistsAndOrdersOnlyWhatIsMissing)
    }

    func testOrderFollowAndRenew() throws { try inEachDialect(scenarioOrderFollowAndRenew) }

    func testFundsRefusalThenTopUpRenewsOnTheNextRun() throws {
        try inEachDialect(scenarioFundsRefusalThenTopUpRenewsOnTheNextRun)
    }

    func testParkThenReuseFromThePool() throws { try inEachDialect(scenarioParkThenReuseFromThePool) }

    func testABatchOrdersEachServiceOnce() throws { try inEachDialect(scenarioABatchOrdersEachServiceOnce) }

    func testAThirdPartyTariffEndToEnd() throws { try inEachDialect(scenarioAThirdPartyTariffEndToEnd) }

    func testSpendLimitWithTheCataloguesCosts() throws { try inEachDialect(scenarioSpendLimitWithTheCataloguesCosts) }

    private func remote(_ id: Int) throws -> [String: String] {
        try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(id) })
    }

    /// The remote row of a license named for service `id`, as licmgr would have named it.
    private func row(service id: Int, ip: String, tariff: String = "55227", expires: Day) -> [String: Any] {
        [
            "licname": "Item #\(id) addon vps\(id)", "ip": ip, "pricelist": tariff,
            "expiredate": expires.description,
        ]
    }

    /// Seeds the license of `row` and returns its id.
    private func seedOne(_ row: [String: Any]) throws -> Int {
        try XCTUnwrap(try sim.seed([row]).first)
    }

    private func storedTariff(_ license: Int) throws -> Int? {
        try work.store().license(license)?.pricelist
    }

    /// Licenses on the account before licmgr runs are attached by IP, whatever the rows call
    /// their tariff; only the service with none gets an order, and a second run orders nothing.
    private func scenarioTakeoverAttachesWhatExistsAndOrdersOnlyWhatIsMissing() throws {
        var rows: [[String: Any]] = []
        for id in 1...4 {
            try addService(id, ip: "10.1.0.\(id)")
            rows.append(row(service: id, ip: "10.1.0.\(id)", expires: today.adding(days: 20)))
        }
        let existing = try sim.seed(rows)
        try addService(5, ip: "10.1.0.5", addon: "panel=Pro")
        let first = try licmgr("fixchilds", "--json")
        XCTAssertEqual(first.jsonObject["attached"] as? Int, 4, first.stdout)
        XCTAssertEqual(first.jsonObject["ordered"] as? Int, 1, first.stdout)
        for license in existing { XCTAssertEqual(try storedTariff(license), 55227) }
        let ordered = try XCTUnwrap(try work.store().licenses(serviceID: 5).first)
        XCTAssertEqual(ordered.pricelist, 55228)
        try licmgr("checkevent")
        let again = try licmgr("fixchilds", "--json")
        XCTAssertEqual(again.jsonObject["ordered"] as? Int, 0, again.stdout)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
        XCTAssertEqual(
            try licmgr("list", "--json").jsonArray.compactMap { $0["pricelist"] as? Int }.sorted(),
            [55227, 55227, 55227, 55227, 55228])
    }

    /// An order is priced before it is placed, placed once, and follows its service's IP and
    /// tariff; a license due is renewed once per term.
    private func scenarioOrderFollowAndRenew() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.2.0.7")
        let plan = try licmgr("order", "7", "--dry-run", "--json")
        XCTAssertEqual(plan.jsonObject["cost"] as? Double, 10, plan.stdout)
        try licmgr("order", "7")
        let license = try XCTUnwrap(try work.store().licenses(serviceID: 7).first)
        XCTAssertEqual(try sim.state().spent, "10.00")

        try licmgr("service", "set", "7", "--ip", "10.2.0.8")
        try licmgr("checkevent")
        XCTAssertEqual(try remote(license.id)["ip"], "10.2.0.8")

        try licmgr("service", "set", "7", "--addon", "panel=Pro")
        try licmgr("checkevent")
        XCTAssertEqual(try remote(license.id)["pricelist"], "55228")
        XCTAssertEqual(try storedTariff(license.id), 55228)

        try addService(6, ip: "10.2.0.6")
        let due = try seedOne(row(service: 6, ip: "10.2.0.6", expires: today))
        let renewed = try licmgr("checkevent", "--json")
        XCTAssertEqual(renewed.jsonObject["renewed"] as? Int, 1, renewed.stdout)
        try licmgr("checkevent")
        XCTAssertEqual(try remote(due)["expiredate"], today.adding(months: 1).description)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    /// A renewal refused for lack of funds is not final: topped up, the next run renews it.
    private func scenarioFundsRefusalThenTopUpRenewsOnTheNextRun() throws {
        try addService(7, ip: "10.3.0.7")
        let license = try seedOne(row(service: 7, ip: "10.3.0.7", expires: today))
        try licmgr("fixchilds")
        try sim.setBalance("1.00")
        try licmgr("checkevent", expect: 1)
        try sim.setBalance("100.00")
        try licmgr("checkevent")
        XCTAssertEqual(try remote(license)["expiredate"], today.adding(months: 1).description)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("service.prolong").filter { $0.result == "ok" }.count, 1)
    }

    /// A license parked by one closed service is reused by the next of the same package, with
    /// a new key, nothing bought.
    private func scenarioParkThenReuseFromThePool() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let free = try seedOne(
            [
                "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "3",
                "expiredate": today.adding(months: 3).description,
                "ip_change_date": today.adding(months: -2).description,
                "lickey_change_date": today.adding(months: -2).description, "lickey": "oldkey",
            ])
        try addService(8, ip: "10.4.0.8", extra: ["--package", "12"])
        let reuse = try licmgr("order", "8", "--json")
        XCTAssertEqual(reuse.jsonObject["reused"] as? Int, 1, reuse.stdout)
        let taken = try remote(free)
        XCTAssertEqual(taken["ip"], "10.4.0.8")
        XCTAssertEqual(taken["status"], "2")
        XCTAssertNotEqual(taken["lickey"], "oldkey")
        XCTAssertEqual(try work.store().license(free)?.key, taken["lickey"])
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)

        try licmgr("service", "close", "8", "--now")
        let parked = try remote(free)
        XCTAssertEqual(parked["licname"], "free.lic")
        XCTAssertEqual(parked["ip"], "0.0.0.0")
        XCTAssertEqual(parked["status"], "3")
        XCTAssertEqual(try sim.state().spent, "0.00")
    }

    /// A batch long enough to log in for a session, whose session may die under it: every
    /// service gets exactly one license and the run succeeds.
    private func scenarioABatchOrdersEachServiceOnce() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 4")
        for id in 1...24 { try addService(id, ip: "10.5.0.\(id)") }
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 24, run.stdout)
        try licmgr("checkevent")
        let orders = try sim.state().calls("soft.order.param")
        XCTAssertEqual(orders.filter { $0.result == "ok" }.count, 24)
        XCTAssertEqual(Set(orders.compactMap { $0.params["ip"] }).count, 24)
        for id in 1...24 { XCTAssertEqual(try work.store().licenses(serviceID: id).count, 1, "service \(id)") }
    }

    /// Third-party licenses (CloudLinux) are attached, ordered, listed and renewed under their
    /// own family of functions.
    private func scenarioAThirdPartyTariffEndToEnd() throws {
        try licmgr("import-tariffs")
        try addService(9, ip: "10.6.0.9", addon: "cloudlinux=9203")
        let existing = try seedOne(row(service: 9, ip: "10.6.0.9", tariff: "9203", expires: today))
        try addService(10, ip: "10.6.0.10", addon: "cloudlinux=9203")
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["attached"] as? Int, 1, run.stdout)
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 1, run.stdout)
        XCTAssertEqual(run.jsonObject["renewed"] as? Int, 1, run.stdout)
        XCTAssertEqual(try sim.state().calls("softexternal.order.param").count, 1)
        XCTAssertEqual(try remote(existing)["expiredate"], today.adding(months: 1).description)
        let ordered = try XCTUnwrap(try work.store().licenses(serviceID: 10).first)
        XCTAssertEqual(ordered.line, .softexternal)
        XCTAssertEqual(ordered.pricelist, 9203)
        try licmgr("sync")
        XCTAssertEqual(try work.store().license(existing)?.line, .softexternal, "still listed under its family")
        XCTAssertEqual(try licmgr("list", "--json").jsonArray.count, 2)
    }

    /// SpendLimit reads the catalogue's real costs: what fits is bought, the rest is held.
    private func scenarioSpendLimitWithTheCataloguesCosts() throws {
        try licmgr("import-tariffs")
        try work.writeConfig(url: sim.url, extra: "SpendLimit 25")
        for id in 1...3 { try addService(id, ip: "10.7.0.\(id)") }
        let run = try licmgr("order", "1", "2", "3", "--json", expect: 75)
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 2, run.stdout)
        XCTAssertEqual(run.jsonObject["held"] as? Int, 1, run.stdout)
        XCTAssertEqual(try sim.state().spent, "20.00")
    }
}
