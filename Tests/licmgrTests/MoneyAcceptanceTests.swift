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
}
