import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Licenses paid for and used by nothing: seen with their cost, parked or deleted by choice,
/// each step journaled, and never deleted twice.
final class UnusedLicenseAcceptanceTests: AcceptanceTestCase {
    /// Ids of: the license serving service 7, a stray Pro (yearly), a stray Lite, one parked
    /// in the free pool, one deleted.
    var served = 0, strayPro = 0, strayLite = 0, pooled = 0, deleted = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        let ids = try sim.seed([
            ["licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227"],
            ["licname": "old pro", "ip": "10.9.9.9", "pricelist": "55228", "period": "12"],
            ["licname": "old lite", "ip": "10.9.9.8", "pricelist": "55227"],
            ["licname": License.parkedName, "ip": License.parkedIP, "pricelist": "55227", "status": "3"],
            ["licname": "gone", "ip": "10.9.9.7", "pricelist": "55227", "status": "4"],
        ])
        (served, strayPro, strayLite, pooled, deleted) = (ids[0], ids[1], ids[2], ids[3], ids[4])
        try addService(7, ip: "10.0.0.7")
        try licmgr("fixchilds")
    }

    func testListUnusedShowsWhatNoServiceUsesWithItsMonthlyCost() throws {
        let before = try licmgr("list", "--unused")
        XCTAssertTrue(
            before.stdout.hasSuffix("2 unused licenses (prices unknown: run 'licmgr import-tariffs')\n"), before.stdout)
        try licmgr("import-tariffs")
        let rows = try licmgr("list", "--unused", "--json").jsonArray
        XCTAssertEqual(rows.map { $0["id"] as? Int }, [strayPro, strayLite])
        // Pro sells at 180.00 a year, Lite at 10.00 a month.
        XCTAssertEqual(rows.map { $0["monthly_cost"] as? Double }, [15.0, 10.0])
        XCTAssertEqual(rows.map { $0["currency"] as? String }, ["EUR", "EUR"])
        XCTAssertEqual(rows.first?["service_id"] as? NSNull, NSNull())
        let text = try licmgr("list", "--unused")
        XCTAssertTrue(text.stdout.contains("15.00 EUR"), text.stdout)
        XCTAssertTrue(text.stdout.hasSuffix("2 unused licenses, 25.00 EUR a month\n"), text.stdout)
        for id in [served, pooled, deleted] {
            XCTAssertFalse(text.stdout.contains(String(id)), "license \(id) is not unused\n\(text.stdout)")
        }
        XCTAssertEqual(try licmgr("list", "--free", "--json").jsonArray.map { $0["id"] as? Int }, [pooled])
        try licmgr("list", "--unused", "--free", expect: 64)

        let fixchilds = try licmgr("fixchilds", "--json").jsonObject
        XCTAssertEqual(
            (fixchilds["orphans"] as? [[String: Any]])?.map { $0["id"] as? Int }, [strayPro, strayLite])
        let unused = try XCTUnwrap(fixchilds["unused"] as? [String: Any])
        XCTAssertEqual(unused["count"] as? Int, 2)
        XCTAssertEqual(unused["monthly_cost"] as? Double, 25.0)
        XCTAssertEqual(unused["currency"] as? String, "EUR")
        let fixchildsText = try licmgr("fixchilds")
        XCTAssertTrue(fixchildsText.stdout.contains("2 unused licenses, 25.00 EUR a month"), fixchildsText.stdout)
    }

    func testParkPutsAnUnusedLicenseInThePoolOnce() throws {
        let plan = try licmgr("park", String(strayLite), "--dry-run")
        XCTAssertTrue(plan.stdout.contains("would park license \(strayLite) in the free pool"), plan.stdout)
        XCTAssertEqual(try sim.state().calls("soft.suspend").count, 0)

        let run = try licmgr("park", String(strayLite), "--json").jsonObject
        XCTAssertEqual(run["parked"] as? Int, 1)
        XCTAssertEqual((run["errors"] as? [Any])?.count, 0)
        let remote = try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(strayLite) })
        XCTAssertEqual(remote["licname"], License.parkedName)
        XCTAssertEqual(remote["ip"], License.parkedIP)
        XCTAssertEqual(remote["status"], "3")
        XCTAssertEqual(
            try licmgr("list", "--free", "--json").jsonArray.compactMap { $0["id"] as? Int }.sorted(),
            [strayLite, pooled])

        let again = try licmgr("park", String(strayLite))
        XCTAssertTrue(again.stdout.contains("license \(strayLite) is already in the free pool"), again.stdout)
        XCTAssertEqual(try sim.state().calls("soft.suspend").count, 1)
        XCTAssertEqual(try sim.state().calls("soft.edit").filter { $0.params["sok"] != nil }.count, 1)
    }

    func testARunCutOffWhileParkingIsFinishedByTheNext() throws {
        work.environment["LICMGR_FAULT_POINT"] = "park.rename:before"
        try licmgr("park", String(strayPro), expect: SIGKILL)
        work.environment["LICMGR_FAULT_POINT"] = nil
        try licmgr("checkevent")
        let remote = try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(strayPro) })
        XCTAssertEqual(remote["licname"], License.parkedName)
        XCTAssertEqual(remote["status"], "3")
        XCTAssertEqual(try work.store().openWorkflows().count, 0)
    }

    func testParkAndDeleteRefuseALicenseThatServesAndGoOnWithTheRest() throws {
        for command in [["park"], ["delete", "--yes"]] {
            let run = try work.licmgr(command + [String(served), "999999", String(strayLite)])
            XCTAssertEqual(run.status, 65, "\(command)\n\(run.stdout)\(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            XCTAssertTrue(
                lines.contains { $0.contains("license \(served) serves service 7") }, "\(command)\n\(run.stderr)")
            XCTAssertTrue(lines.contains { $0.contains("no license 999999 is known") }, run.stderr)
            XCTAssertEqual(lines.count, 2, run.stderr)
        }
        let state = try sim.state()
        XCTAssertEqual(state.licenses.first { $0["id"] == String(served) }?["status"], "2")
        XCTAssertEqual(state.licenses.first { $0["id"] == String(strayLite) }?["status"], "4", "the rest went on")
        XCTAssertEqual(state.calls("soft.delete").count, 1)
        let json = try licmgr("delete", String(served), "--yes", "--json", expect: 65).jsonObject
        let errors = try XCTUnwrap(json["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.map { $0["license_id"] as? Int }, [served])
        XCTAssertEqual(errors.first?["code"] as? Int, 65)
        XCTAssertEqual(json["failed"] as? Int, 1)
        try licmgr("service", "close", "7")
        let sent = try sim.state().calls.count
        let closed = try licmgr("park", String(served), expect: 65)
        XCTAssertTrue(closed.stderr.contains("the service is closed, and the next checkevent"), closed.stderr)
        // One read (twice over, where p_elems counts the page), no change.
        XCTAssertEqual(Set(try sim.state().calls.dropFirst(sent).map(\.function)), ["soft"], "one read, no change")
    }

    func testARemoteRefusalAmongRejectedIdsExitsOne() throws {
        try sim.fault("soft.delete", "refuse", message: "not allowed")
        let run = try licmgr("delete", String(strayLite), "999999", String(strayPro), "--yes", expect: 1)
        XCTAssertTrue(run.stderr.contains("not allowed"), run.stderr)
        XCTAssertTrue(run.stderr.contains("no license 999999 is known"), run.stderr)
        // Which of the two the refusal hits depends on which call the remote takes first.
        XCTAssertEqual(
            run.stdout.split(separator: "\n").filter { $0.hasPrefix("deleted license") }.count, 1, run.stdout)
    }

    func testDeleteAsksForTheDryRunFirst() throws {
        let refused = try licmgr("delete", String(strayPro), expect: 64)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("--dry-run' first, then add --yes"), refused.stderr)
        try licmgr("import-tariffs")
        let plan = try licmgr("delete", String(strayPro), "--dry-run")
        XCTAssertTrue(plan.stdout.contains("would delete license \(strayPro)"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("(15.00 EUR a month)"), plan.stdout)
        XCTAssertEqual(try sim.state().calls("soft.delete").count, 0)

        let run = try licmgr("delete", String(strayPro), "--yes", "--json").jsonObject
        XCTAssertEqual(run["deleted"] as? Int, 1)
        let again = try licmgr("delete", String(strayPro), String(deleted), "--yes")
        XCTAssertTrue(again.stdout.contains("license \(strayPro) is already deleted; nothing sent"), again.stdout)
        XCTAssertTrue(again.stdout.contains("license \(deleted) is already deleted; nothing sent"), again.stdout)
        XCTAssertEqual(try sim.state().calls("soft.delete").count, 1)
        let history = try work.store().history(serviceID: nil, licenseID: strayPro)
        XCTAssertTrue(history.contains { $0.action == "delete" && $0.result == "ok" }, "\(history)")
    }

    func testADeleteWhoseAnswerWasLostIsSettledNotSentAgain() throws {
        try sim.fault("soft.delete", "commit-drop")
        let lost = try licmgr("delete", String(strayLite), "--yes", expect: 75)
        XCTAssertTrue(lost.stderr.contains("next run settles it"), lost.stderr)
        let next = try licmgr("delete", String(strayLite), "--yes")
        XCTAssertTrue(next.stdout.contains("license \(strayLite) is already deleted"), next.stdout)
        XCTAssertEqual(try sim.state().calls("soft.delete").count, 1)
        XCTAssertEqual(try work.store().operations(state: .pending).count, 0)
    }

    func testADeleteKilledAroundItsCallIsSentOnce() throws {
        for (phase, id) in [("before", strayLite), ("after", strayPro)] {
            work.environment["LICMGR_FAULT_POINT"] = "delete:\(phase)"
            try licmgr("delete", String(id), "--yes", expect: SIGKILL)
            work.environment["LICMGR_FAULT_POINT"] = nil
            try licmgr("delete", String(id), "--yes")
            let calls = try sim.state().calls("soft.delete").filter { $0.params["elid"] == String(id) }
            XCTAssertEqual(calls.count, 1, "killed \(phase) the call")
            XCTAssertEqual(try sim.state().licenses.first { $0["id"] == String(id) }?["status"], "4")
        }
        XCTAssertEqual(try work.store().operations(state: .pending).count, 0)
    }
}
