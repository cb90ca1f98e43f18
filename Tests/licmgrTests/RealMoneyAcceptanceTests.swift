import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A remote that writes money with four decimals, as the real one does (`"$cost": "10.0000"`,
/// the balance `"1000.0000"`): every price and the balance read, exactly, and sums stay exact.
final class RealMoneyAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "money4"] }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func testTheSimulatorWritesFourDecimals() throws {
        let tariffs = try licmgr("import-tariffs", "--dry-run", "--json").jsonObject["tariffs"] as? [[String: Any]]
        let lite = tariffs?.first { $0["id"] as? Int == 55227 }
        XCTAssertEqual((lite?["periods"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 }?["cost"] as? Double, 10)
        let wire = try licmgr("import-tariffs", "--dry-run")
        XCTAssertTrue(wire.stdout.contains("1=10.00 (1 month)"), wire.stdout)
    }

    func testADryRunOrderShowsEachCostAndTheTotal() throws {
        try sim.setPrice(tariff: "55228", period: "1", "12.3450")
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2", addon: "panel=Pro")
        try addService(3, ip: "10.0.0.3", addon: "panel=Pro")
        let text = try licmgr("order", "1", "2", "3", "--dry-run")
        XCTAssertEqual(text.stdout.split(separator: "\n").last, "total: 34.69 EUR", text.stdout)
        XCTAssertTrue(text.stdout.contains(": 12.345 EUR"), text.stdout)
        let json = try licmgr("order", "1", "2", "3", "--dry-run", "--json")
        XCTAssertTrue(json.stdout.contains("\"cost\":34.69,"), json.stdout)
        XCTAssertEqual(json.jsonObject["currency"] as? String, "EUR")
        let costs = (json.jsonObject["items"] as? [[String: Any]] ?? []).compactMap { $0["cost"] as? Double }
        XCTAssertEqual(costs.sorted(), [10, 12.345, 12.345])
    }

    /// Three orders at 12.3450 cost 37.035: a limit of 37.03 holds the third (counted to the
    /// cent, 37.02 would have let it through), and 37.035 lets all three go.
    func testSpendLimitCountsFourDecimalPricesExactly() throws {
        try sim.setPrice(tariff: "55227", period: "1", "12.3450")
        try work.writeConfig(url: sim.url, extra: "SpendLimit 37.03")
        try licmgr("import-tariffs")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        let run = try licmgr("checkevent", expect: 75)
        let held = run.stderr.split(separator: "\n").filter { $0.contains("SpendLimit") }
        XCTAssertEqual(held.count, 1, run.stderr)
        XCTAssertTrue(
            held.first?.contains(
                "SpendLimit 37.03 EUR held 1 purchase worth 12.345 EUR (24.69 EUR spent in the last 24 hours)")
                == true, run.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2)
        let journal = try licmgr("journal", "--all", "--json").jsonArray
        XCTAssertEqual(journal.compactMap { ($0["params"] as? [String: String])?["cost"] }, ["12.345", "12.345"])

        try work.writeConfig(url: sim.url, extra: "SpendLimit 37.035")
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").filter { $0.result == "ok" }.count, 3)
        XCTAssertEqual(state.spent, "37.035")
        XCTAssertEqual(try licmgr("status", "--json").jsonObject["spent_30_days"] as? Double, 37.035)
    }

    func testARenewalWithinTheLimitGoesAndStatusShowsWhatIsDue() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit 15")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8", addon: "panel=Pro")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": today.description,
            ],
            [
                "licname": "Item #8 addon vps8", "ip": "10.0.0.8", "pricelist": "55228", "period": "1",
                "expiredate": today.adding(days: 5).description,
            ],
        ])
        try licmgr("fixchilds")
        try sim.setBalance("12.5000")
        // Lite is due (RenewBefore 1) and within the limit; the balance is read after it is paid.
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("service.prolong").filter { $0.result == "ok" }.count, 1)
        XCTAssertEqual(try sim.state().balance, "2.50")
        let text = try licmgr("status")
        // Lite renewed today for a month comes round again within 30 days; Pro is due in five.
        XCTAssertTrue(text.stdout.contains("due in 30 days:   2 license(s), 28.00 EUR"), text.stdout)
        XCTAssertTrue(text.stdout.contains("balance:          2.50 EUR"), text.stdout)
        XCTAssertTrue(
            text.stdout.contains("will not cover the renewals of the next 7 days: 18.00 EUR"), text.stdout)
        let json = try licmgr("status", "--json").jsonObject
        XCTAssertEqual((json["due_30_days"] as? [String: Any])?["cost"] as? Double, 28)
        XCTAssertEqual((json["balance"] as? [String: Any])?["amount"] as? Double, 2.5)
    }

    func testTheMetricsFileHasTheMoney() throws {
        try work.writeConfig(url: sim.url, extra: "MetricsFile licmgr.prom")
        try sim.setPrice(tariff: "55227", period: "1", "12.3450")
        try licmgr("import-tariffs")
        for id in 1...2 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.seed([["licname": "spare", "ip": "10.0.0.99", "pricelist": "55227", "period": "1"]])
        try licmgr("checkevent")
        let path = work.directory.appendingPathComponent("licmgr.prom").path
        let samples = try PrometheusText.parse(try String(contentsOfFile: path, encoding: .utf8))
        func value(_ name: String) -> Double? {
            samples.first { $0.name == name && $0.labels == ["currency": "EUR"] }?.value
        }
        XCTAssertEqual(value("licmgr_spent_last_30d"), 24.69)
        XCTAssertEqual(value("licmgr_spent_total"), 24.69)
        XCTAssertEqual(value("licmgr_renewals_due_next_30d_cost"), 24.69)
        XCTAssertEqual(value("licmgr_unused_monthly_cost"), 12.35, "a month's estimate, to the cent")
        XCTAssertEqual(value("licmgr_balance"), 975.31)
    }
}
