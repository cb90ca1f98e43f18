import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// Keeps what the engine tells the log trail.
private final class RecordingStepLog: StepLog {
    var entries: [StepLogEntry] = []
    /// How many journal rows were finished when each entry arrived.
    var finishedAtEntry: [Int] = []
    let store: SQLiteStore

    init(store: SQLiteStore) { self.store = store }

    func record(_ entry: StepLogEntry) {
        entries.append(entry)
        finishedAtEntry.append(((try? store.operations(state: .done)) ?? []).count)
    }
}

final class StepLogTests: StoreTestCase {
    private let keys = SequentialKeys()
    private let time = FixedTime(day: Day(year: 2025, month: 6, day: 15)!)

    func testEachStepIsHeardAsTheJournalRecordsItsOutcome() throws {
        let server = FakeLicenseServer()
        let config = try ConfigParser().parse("", path: dir.file("licmgr.conf"))
        for id in 1...2 {
            try store.insert(
                Service(
                    id: id, name: "vps\(id)", ip: "192.0.2.\(id)", package: 12, period: 1, addons: ["panel": "Lite"],
                    status: .active), at: time.timestamp)
        }
        server.failNextOrder(.commitThenLose)
        let log = RecordingStepLog(store: store)
        let engine = LicenseEngine(
            config: config, store: store, server: server, time: time, command: "order", keys: keys)
        engine.stepLog = log
        let report = try engine.order(serviceIDs: [1, 2], dryRun: false)
        XCTAssertEqual(report.count(.inDoubt), 1, "\(report.items)")
        XCTAssertEqual(log.entries.count, 1, "the run stops at the step in doubt: \(log.entries)")
        let doubt = try XCTUnwrap(log.entries.first)
        XCTAssertEqual(doubt.kind, .order)
        XCTAssertEqual(doubt.serviceID, 1)
        XCTAssertEqual(doubt.key, try store.operations(state: .pending).first?.key)
        guard case .inDoubt = doubt.outcome else { return XCTFail("\(doubt.outcome)") }

        let next = LicenseEngine(
            config: config, store: store, server: server, time: time, command: "checkevent", keys: keys)
        next.stepLog = log
        _ = try next.checkEvent()
        let settled = try XCTUnwrap(log.entries.dropFirst().first)
        XCTAssertEqual(settled.outcome, .settled(applied: true, "license \(settled.licenseID ?? 0) is on the remote"))
        XCTAssertEqual(settled.key, doubt.key)
        let order = try XCTUnwrap(log.entries.last)
        XCTAssertEqual(order.outcome, .done)
        XCTAssertEqual(order.serviceID, 2)
        XCTAssertEqual(order.licenseID, try store.licenses(serviceID: 2).first?.id)
        XCTAssertEqual(log.entries.count, 3)
        XCTAssertEqual(log.finishedAtEntry.last, 2, "heard inside the run, as its own row is written")
    }
}
