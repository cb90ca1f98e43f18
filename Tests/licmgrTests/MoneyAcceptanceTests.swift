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
}
