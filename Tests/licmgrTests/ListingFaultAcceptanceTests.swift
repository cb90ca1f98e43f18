import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A remote listing is believed only when it is whole: pages that do not add up are a failed
/// read (exit 75), and nothing is marked gone or ordered from them.
final class ListingFaultAcceptanceTests: AcceptanceTestCase {
    /// Two rows a page, so that five licenses take three pages.
    override var simulatorArguments: [String] { ["--max-page", "2"] }

    /// Five services, each served by its own license, and the calls that took.
    private func servedAccount() throws {
        for id in 1...5 { try addService(id, ip: "10.0.0.\(id)") }
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().licenses.count, 5)
        XCTAssertEqual(try work.store().allLicenses().filter(\.isLive).count, 5)
    }

    /// Runs checkevent under a listing fault and checks that it failed the read and changed nothing.
    /// `times` covers every page the first read and its one retry ask for.
    private func assertFailedRead(
        _ kind: String, page: Int? = nil, times: Int = 2, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        try servedAccount()
        try sim.fault("soft", kind, times: times, page: page)
        let run = try licmgr("checkevent", expect: 75, file: file, line: line)
        XCTAssertTrue(run.stderr.contains("not whole"), run.stderr, file: file, line: line)
        let store = try work.store()
        XCTAssertEqual(try store.allLicenses().filter(\.gone).count, 0, file: file, line: line)
        XCTAssertEqual(try store.history(serviceID: nil, licenseID: nil).filter { $0.action == "drift" }.count, 0)
        let state = try sim.state()
        XCTAssertEqual(
            state.calls("soft.order.param").count, 5, "no order beyond the first five", file: file, line: line)
        XCTAssertEqual(state.licenses.count, 5, file: file, line: line)
        // Once the remote answers whole pages again, all is as it was.
        try sim.clearFaults()
        let next = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(next["gone"] as? Int, 0, "\(next)", file: file, line: line)
        XCTAssertEqual(next["ordered"] as? Int, 0, "\(next)", file: file, line: line)
    }

    /// A p_elems that counts the page proves nothing, but the pages read to the end and read
    /// again prove the list whole: nothing is gone or bought, and what was odd is said.
    func testTotalThatCountsThePageIsProvenByASecondRead() throws {
        try servedAccount()
        try sim.fault("soft", "count-page", times: 4)
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["gone"] as? Int, 0, run.stdout)
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 0, run.stdout)
        let warnings = run.jsonObject["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.contains("p_elems is not the list's total") }, "\(warnings)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 5)
    }

    /// The same with one page short in the first read: the second read differs, and the run fails.
    func testTotalThatCountsThePageWithAShortPageIsAFailedRead() throws {
        try servedAccount()
        try sim.fault("soft", "short-page", page: 2)
        try sim.fault("soft", "count-page", times: 4)
        let run = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(run.stderr.contains("not whole"), run.stderr)
        XCTAssertEqual(try work.store().allLicenses().filter(\.gone).count, 0)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 5)
    }

    func testShortPageIsAFailedRead() throws {
        try assertFailedRead("short-page", page: 2)
    }

    func testEmptyPageIsAFailedRead() throws {
        try assertFailedRead("empty-page", page: 2)
    }

    func testRowsShiftedBetweenPagesAreAFailedRead() throws {
        try assertFailedRead("shift", page: 2)
    }

    /// A listing consistent with itself that still hides most licenses: each missing one is
    /// viewed before it is believed gone, and one still there fails the read.
    func testManyLicensesMissingAreConfirmedByView() throws {
        try assertFailedRead("hide")
    }

    /// A shift seen once is the list changing under the read: the one retry reads it whole.
    /// A remote whose p_elems proves nothing is read twice already; the two reads differ, the
    /// run fails, and the next reads it whole.
    func testOneShiftedReadIsReadAgain() throws {
        try servedAccount()
        try sim.fault("soft", "shift", page: 2)
        if sim.speaks("paging") { try licmgr("checkevent", expect: 75) }
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["gone"] as? Int, 0, "\(run)")
        XCTAssertEqual(run["ordered"] as? Int, 0, "\(run)")
    }

    /// A few licenses really deleted behind licmgr's back are each viewed, since they serve
    /// services, found gone, and their services are served again.
    func testFewLicensesReallyGoneAreConfirmedThenBelieved() throws {
        try servedAccount()
        let known = try work.store().allLicenses()
        try sim.reset()
        try sim.seed(
            known.dropFirst(2).map { ["id": String($0.id), "licname": $0.name, "ip": $0.ip, "pricelist": "55227"] })
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["gone"] as? Int, 2, "\(run)")
        XCTAssertEqual(run["ordered"] as? Int, 2, "\(run)")
        let missing = Set(known.prefix(2).map { String($0.id) })
        let views = try sim.state().calls("soft.edit").filter { missing.contains($0.params["elid"] ?? "") }
        XCTAssertEqual(views.count, 2, "each missing license that serves a service is viewed first")
    }

    /// A listing consistent with itself that hides one serving license while its service has
    /// moved to another IP, where no rule of the remote refuses a second license: the hidden
    /// license is viewed, found still there, and the read fails; nothing is bought (found by
    /// the simulator, issue 18).
    func testOneServingLicenseHiddenIsConfirmedByView() throws {
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2")
        try licmgr("checkevent")
        try licmgr("service", "set", "2", "--ip", "10.0.0.9")
        try sim.fault("soft", "hide", times: 2)
        let run = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(run.stderr.contains("not whole"), run.stderr)
        XCTAssertEqual(try work.store().allLicenses().filter(\.gone).count, 0)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2, "no second license for service 2")
        try sim.clearFaults()
        let next = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(next["ordered"] as? Int, 0, "\(next)")
        XCTAssertEqual(next["edited"] as? Int, 1, "\(next)")
        XCTAssertEqual(
            Set(try sim.state().licenses.filter { $0["status"] != "4" }.compactMap { $0["ip"] }),
            ["10.0.0.1", "10.0.0.9"])
    }

    /// Many licenses really deleted: each is viewed, found gone, and its service served again.
    func testManyLicensesReallyGoneAreConfirmedThenBelieved() throws {
        try servedAccount()
        let known = try work.store().allLicenses()
        try sim.reset()
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["gone"] as? Int, 5, "\(run)")
        XCTAssertEqual(run["ordered"] as? Int, 5, "\(run)")
        // The simulator's reset reuses ids, so count only the views made before the first order.
        let calls = try sim.state().calls
        let beforeOrders = calls.prefix { $0.function != "soft.order.param" }
        let ids = Set(known.map { String($0.id) })
        XCTAssertEqual(
            beforeOrders.filter { $0.function == "soft.edit" && ids.contains($0.params["elid"] ?? "") }.count, 5)
    }
}
