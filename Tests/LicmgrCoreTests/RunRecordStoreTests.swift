import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The record of runs and of the balance that `status` reads.
final class RunRecordStoreTests: StoreTestCase {
    private func run(_ command: String, at minute: Int, exit: Int, counts: [String: Int] = [:]) -> RunRecord {
        let at = "2026-11-25 03:\(minute < 10 ? "0" : "")\(minute):00"
        return RunRecord(command: command, startedAt: at, endedAt: at, exitCode: exit, counts: counts)
    }

    func testLastRunOfEachCommandAndLastSuccess() throws {
        try store.insert(run("checkevent", at: 1, exit: 0, counts: ["ordered": 2]))
        try store.insert(run("renew", at: 2, exit: 1, counts: ["failed": 1]))
        try store.insert(run("checkevent", at: 5, exit: 69))
        let last = try store.lastRuns()
        XCTAssertEqual(Set(last.keys), ["checkevent", "renew"])
        XCTAssertEqual(last["checkevent"]?.exitCode, 69)
        XCTAssertEqual(last["renew"]?.counts, ["failed": 1])
        let success = try store.lastSuccessfulRun(of: "checkevent")
        XCTAssertEqual(success?.endedAt, "2026-11-25 03:01:00")
        XCTAssertEqual(success?.counts, ["ordered": 2])
        XCTAssertNil(try store.lastSuccessfulRun(of: "renew"))
    }

    func testATimestampReadsAsRFC3339ForTheHook() {
        XCTAssertEqual(RunRecord.rfc3339("2026-12-06 11:21:58"), "2026-12-06T11:21:58Z")
        XCTAssertEqual(RunRecord.rfc3339("not a time"), "not a time")
    }

    func testBalanceKeepsTheLastReadingWhenAReadFails() throws {
        XCTAssertNil(try store.balance())
        XCTAssertNil(try store.balanceAskedAt())
        let reading = BalanceReading(
            balance: AccountBalance(amount: -35_000, currency: "EUR"), at: "2026-11-25 03:00:00")
        try store.saveBalance(reading, askedAt: "2026-11-25 03:00:00")
        try store.saveBalance(nil, askedAt: "2026-11-25 04:00:00")
        XCTAssertEqual(try store.balance(), reading)
        XCTAssertEqual(try store.balanceAskedAt(), "2026-11-25 04:00:00")
    }

    func testAFailedFirstReadRecordsOnlyTheAsking() throws {
        try store.saveBalance(nil, askedAt: "2026-11-25 04:00:00")
        XCTAssertNil(try store.balance())
        XCTAssertEqual(try store.balanceAskedAt(), "2026-11-25 04:00:00")
    }
}
