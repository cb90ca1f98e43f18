import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Money leaves only once per need: a retried renewal, a remote whose dates lie and a run that
/// would spend past `SpendLimit` pay nothing twice and nothing unasked.
final class SpendingAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func testRenewRetriedAfterALostAnswerPaysOnce() throws {
        try dueLicense()
        try sim.fault("service.prolong", "commit-drop")
        try licmgr("renew", "7", expect: 75)
        let retried = try licmgr("renew", "7")
        XCTAssertTrue(retried.stdout.contains("renewed it already"), retried.stdout)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1)
        XCTAssertEqual(try sim.state().licenses.first?["expiredate"], today.adding(months: 1).description)
    }

    func testRenewRetriedAfterAKillPaysOnce() throws {
        try dueLicense()
        work.environment["LICMGR_FAULT_POINT"] = "renew:after"
        try licmgr("renew", "7", expect: SIGKILL)
        work.environment["LICMGR_FAULT_POINT"] = nil
        try licmgr("renew", "7")
        try licmgr("renew", "--due")
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1)
    }

    /// A remote whose clock lags shows fresh licenses as expired: licmgr's own record of what
    /// it bought keeps cron from renewing them every run, and says why.
    func testRemoteClockBehindDoesNotDrainTheAccount() throws {
        try sim.setToday("2020-01-01")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        var warned = false
        for _ in 1...4 {
            let run = try licmgr("checkevent")
            warned = warned || run.stderr.contains("check the remote's dates")
        }
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 3)
        XCTAssertEqual(state.calls("service.prolong").count, 0)
        XCTAssertTrue(warned, "the contradiction is reported")
    }

    func testSpendLimitHoldsWhatWouldPassIt() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit 25")
        try licmgr("import-tariffs")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        // Lite costs 10.00 a month: two fit in 25.00, the third waits, in the plan as in the run.
        let plan = try licmgr("checkevent", "--dry-run", "--json").jsonObject
        XCTAssertEqual(plan["cost"] as? Double, 20, "\(plan)")
        let planned = (plan["items"] as? [[String: Any]] ?? []).compactMap { $0["plan"] as? String }
        XCTAssertEqual(planned.sorted(), ["held", "ordered", "ordered"], "\(plan)")
        let text = try licmgr("checkevent", "--dry-run").stdout
        XCTAssertTrue(text.contains("would hold back: order ISPmanager 6 Lite (55227), 1 month, for service 3"), text)
        XCTAssertTrue(text.contains("SpendLimit 25.00 would be passed"), text)
        let run = try licmgr("checkevent", expect: 75)
        let held = run.stderr.split(separator: "\n").filter { $0.contains("SpendLimit") }
        XCTAssertEqual(held.count, 1, run.stderr)
        XCTAssertTrue(held.first?.contains("(20.00 EUR spent in the last 24 hours)") == true, run.stderr)
        let json = try licmgr("checkevent", "--json", expect: 75).jsonObject
        XCTAssertEqual(json["held"] as? Int, 1, "\(json)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2)
    }

    func testSpendLimitWithoutPricesHoldsEverything() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit 1000")
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("order", "7", expect: 75)
        XCTAssertTrue(run.stderr.contains("import-tariffs"), run.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    func testSpendLimitMustBeAnAmount() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit lots")
        let run = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(run.stderr.contains("SpendLimit"), run.stderr)
        XCTAssertTrue(run.stderr.contains("licmgr.conf:"), run.stderr)
    }
}
