import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Money in plain sight: the run record, the balance, `status`, dry-run totals and refusals
/// for lack of funds, through the binary against the simulator.
final class MoneyAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    // MARK: - The run record

    func testEveryRemoteRunIsRecordedFailedOrNotButNotDryRuns() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7", "--dry-run")
        try licmgr("checkevent")
        var runs = try work.store().lastRuns()
        XCTAssertEqual(Set(runs.keys), ["checkevent"], "a dry run and service add are not recorded")
        XCTAssertEqual(runs["checkevent"]?.exitCode, 0)
        XCTAssertEqual(runs["checkevent"]?.counts["ordered"], 1)
        sim.stop()
        try licmgr("checkevent", expect: 69)
        runs = try work.store().lastRuns()
        XCTAssertEqual(runs["checkevent"]?.exitCode, 69)
        XCTAssertEqual(runs["checkevent"]?.counts, [:])
        XCTAssertEqual(try work.store().lastSuccessfulRun(of: "checkevent")?.counts["ordered"], 1)
    }

    func testARunHeldOffByTheLockIsNotRecorded() throws {
        let lock = try RunLock(path: work.directory.appendingPathComponent("licmgr.db.lock").path)
        try licmgr("checkevent", expect: 75)
        withExtendedLifetime(lock) {}
        XCTAssertEqual(try work.store().lastRuns().count, 0)
    }

    // MARK: - The balance

    func testCheckeventReadsTheBalanceHourlyAndSaysNothingOfIt() throws {
        try sim.setBalance("42.10")
        let run = try licmgr("checkevent")
        XCTAssertEqual(run.stdout + run.stderr, "", "cron mails what is printed")
        XCTAssertEqual(try work.store().balance()?.balance, AccountBalance(cents: 4210, currency: "EUR"))
        try sim.setBalance("1.00")
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("subaccount").count, 1, "at most hourly")
        XCTAssertEqual(try work.store().balance()?.balance.cents, 4210)
    }

    func testABalanceThatCannotBeReadIsAWarningUnderVerboseOnly() throws {
        try sim.fault("subaccount", "refuse", times: 2, type: "missed", message: "Unknown function")
        let quiet = try licmgr("checkevent")
        XCTAssertEqual(quiet.stderr, "")
        // The hour is up as far as the record knows: the next run asks again.
        try work.store().db.run("UPDATE balance SET asked_at = '2000-01-01 00:00:00'")
        let verbose = try licmgr("checkevent", "-v")
        XCTAssertTrue(verbose.stderr.contains("warning: the account balance could not be read"), verbose.stderr)
        XCTAssertNil(try work.store().balance())
    }

    // MARK: - Dry-run totals and money in JSON

    func testEveryDryRunEndsWithItsTotal() throws {
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2", addon: "panel=Pro")
        let order = try licmgr("order", "1", "2", "--dry-run")
        XCTAssertEqual(order.stdout.split(separator: "\n").last, "total: 28.00 EUR", order.stdout)
        let json = try licmgr("order", "1", "2", "--dry-run", "--json")
        XCTAssertTrue(json.stdout.contains("\"cost\":28.00,"), json.stdout)
        XCTAssertEqual(json.jsonObject["currency"] as? String, "EUR")
        let costs = (json.jsonObject["items"] as? [[String: Any]] ?? []).compactMap { $0["cost"] as? Double }
        XCTAssertEqual(costs.sorted(), [10, 18])
        for command in ["checkevent", "fixchilds"] {
            let run = try licmgr(command, "--dry-run")
            XCTAssertEqual(run.stdout.split(separator: "\n").last, "total: 28.00 EUR", "\(command): \(run.stdout)")
        }
        try licmgr("checkevent")
        let nothing = try licmgr("checkevent", "--dry-run")
        XCTAssertEqual(nothing.stdout, "total: 0.00 EUR\n")
    }

    func testARenewalAndAResumeAfterALapseArePriced() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", addon: "panel=Pro")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55228", "period": "1",
                "expiredate": today.adding(days: -1).description, "status": "3",
            ]
        ])
        try licmgr("service", "suspend", "7")
        try licmgr("fixchilds")
        let resume = try licmgr("service", "resume", "7", "--now", "--dry-run")
        XCTAssertTrue(resume.stdout.contains("then resume it"), resume.stdout)
        XCTAssertEqual(resume.stdout.split(separator: "\n").last, "total: 18.00 EUR", resume.stdout)
        try licmgr("service", "resume", "7")
        let renew = try licmgr("renew", "7", "--dry-run", "--json").jsonObject
        XCTAssertEqual(renew["cost"] as? Double, 18)
    }

    func testWithoutTheCatalogueTheTotalIsUnknown() throws {
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("order", "7", "--dry-run")
        XCTAssertTrue(
            run.stdout.hasSuffix("total: unknown (1 step(s) without a known price; run 'licmgr import-tariffs')\n"),
            run.stdout)
        let json = try licmgr("order", "7", "--dry-run", "--json").jsonObject
        XCTAssertTrue(json["cost"] is NSNull, "\(json)")
        XCTAssertTrue(json["currency"] is NSNull, "\(json)")
    }

    func testMoneyInJSONIsANumberWithACurrency() throws {
        try licmgr("import-tariffs")
        try sim.seed([["licname": "spare", "ip": "10.0.0.9", "pricelist": "55228", "period": "12"]])
        let orphan = (try licmgr("fixchilds", "--json").jsonObject["orphans"] as? [[String: Any]])?.first
        XCTAssertEqual(orphan?["monthly_cost"] as? Double, 15)
        XCTAssertEqual(orphan?["currency"] as? String, "EUR")
        let tariffs = try licmgr("import-tariffs", "--dry-run", "--json").jsonObject["tariffs"] as? [[String: Any]]
        let lite = tariffs?.first { $0["id"] as? Int == 55227 }
        XCTAssertEqual((lite?["periods"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 }?["cost"] as? Double, 10)
        XCTAssertEqual(lite?["currency"] as? String, "EUR")
    }

    // MARK: - Refused for lack of funds

    /// Service 7 with a Lite license that expires today, attached.
    private func dueLicense() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": today.description,
            ]
        ])
        try licmgr("fixchilds")
    }

    func testARenewalRefusedForLackOfFundsSaysTheBalanceAndWhatItNeeds() throws {
        try licmgr("import-tariffs")
        try dueLicense()
        try sim.setBalance("3.00")
        let cron = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(
            cron.stderr.contains(
                "refused, insufficient funds: balance not read yet (checkevent reads it hourly), needs 10.00 EUR"),
            cron.stderr)
        let byHand = try licmgr("renew", "7", expect: 1)
        let line = byHand.stderr.split(separator: "\n").first { $0.contains("insufficient funds") } ?? ""
        XCTAssertTrue(line.hasPrefix("licmgr: error: renew license "), String(line))
        XCTAssertTrue(line.contains(": refused, insufficient funds: balance 3.00 EUR as last read at "), String(line))
        XCTAssertTrue(line.contains(", needs 10.00 EUR (service.prolong refused: insufficient funds"), String(line))
        XCTAssertEqual(try sim.state().calls("service.prolong").filter { $0.result == "ok" }.count, 0)
    }
}
