import LicmgrTestSupport
import XCTest

/// A remote that caps each page without saying so and counts in p_elems only the page's rows:
/// its listings are proven whole by reading every page twice, not refused forever.
final class PagingAcceptanceTests: AcceptanceTestCase {
    /// Pages of three rows (the trait's default cap).
    override var simulatorArguments: [String] { ["--dialect", "paging"] }

    /// Eight licenses on three pages, ten services: two of them lack a license.
    private func takeOver() throws {
        try sim.seed(
            (1...8).map { ["licname": "Item #\($0) addon vps\($0)", "ip": "10.0.5.\($0)", "pricelist": "55227"] })
        for id in 1...10 { try addService(id, ip: "10.0.5.\(id)") }
    }

    func testFixchildsAndCheckeventOnAMultiPageAccountOrderNothingTwice() throws {
        try takeOver()
        let fix = try licmgr("fixchilds", "--json")
        XCTAssertEqual(fix.jsonObject["attached"] as? Int, 8, fix.stdout)
        XCTAssertEqual(fix.jsonObject["ordered"] as? Int, 2, fix.stdout)
        let warnings = fix.jsonObject["warnings"] as? [String] ?? []
        XCTAssertEqual(warnings.filter { $0.contains("p_elems is not the list's total") }.count, 1, "\(warnings)")
        // Said once: the next cron runs, with nothing to do, print nothing.
        for _ in 1...2 {
            let check = try licmgr("checkevent")
            XCTAssertEqual(check.stdout + check.stderr, "")
        }
        let again = try licmgr("fixchilds", "--json")
        XCTAssertEqual(again.jsonObject["ordered"] as? Int, 0, again.stdout)
        XCTAssertEqual(again.jsonObject["attached"] as? Int, 0, again.stdout)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 2)
        XCTAssertEqual(state.licenses.count, 10)
        XCTAssertEqual(try work.store().allLicenses().filter { $0.serviceID != nil }.count, 10)
    }

    /// One page short once: the two reads differ, the run fails and concludes nothing; the
    /// next run reads the list whole.
    func testOneTransientShortPageStillFails() throws {
        try takeOver()
        try licmgr("fixchilds")
        let orders = try sim.state().calls("soft.order.param").count
        try sim.fault("soft", "short-page", page: 2)
        let run = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(run.stderr.contains("not whole"), run.stderr)
        XCTAssertEqual(try work.store().allLicenses().filter(\.gone).count, 0)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, orders)
        let next = try licmgr("checkevent", "--json")
        XCTAssertEqual(next.jsonObject["gone"] as? Int, 0, next.stdout)
        XCTAssertEqual(next.jsonObject["ordered"] as? Int, 0, next.stdout)
    }

    /// A license really deleted behind licmgr's back is viewed before it is believed gone, since
    /// no p_elems vouches for the listing; its service is then served again.
    func testALicenseGoneIsViewedBeforeItIsBelieved() throws {
        try takeOver()
        try licmgr("fixchilds")
        let gone = try XCTUnwrap(try work.store().licenses(serviceID: 4).first)
        try sim.reset()
        try sim.seed(
            try work.store().allLicenses().filter { $0.id != gone.id }.map {
                ["id": String($0.id), "licname": $0.name, "ip": $0.ip, "pricelist": "55227"]
            })
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["gone"] as? Int, 1, run.stdout)
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 1, run.stdout)
        let calls = try sim.state().calls
        let views = calls.prefix { $0.function != "soft.order.param" }.filter {
            $0.function == "soft.edit" && $0.params["elid"] == String(gone.id)
        }
        XCTAssertEqual(views.count, 1, "viewed once before it was believed gone")
    }
}
