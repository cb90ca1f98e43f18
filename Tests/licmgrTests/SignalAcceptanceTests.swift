import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// SIGTERM or SIGINT in the middle of a run: the step in flight finishes and is recorded, no
/// other step is sent, what was done is printed, and the run exits 75.
final class SignalAcceptanceTests: AcceptanceTestCase {
    private func assertStopsCleanly(_ number: Int32) throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: 800, times: 3)
        let run = try work.launch(arguments: ["--config", work.configPath, "order", "1", "2", "3"])
        // Signalled once the first order is journaled and on its way.
        for _ in 0..<150 where try work.store().operations(state: .pending).isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        run.signal(number)
        let result = run.wait()
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stdout.contains("ordered license"), result.stdout)
        XCTAssertTrue(result.stderr.contains("interrupted by"), result.stderr)
        let store = try work.store()
        XCTAssertEqual(try store.operations(state: .pending).count, 0, "the step in flight was recorded")
        XCTAssertEqual(try store.operations(state: .done).count, 1)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 3)
    }

    func testTermFinishesTheStepInFlightAndStops() throws {
        try assertStopsCleanly(SIGTERM)
    }

    func testInterruptFinishesTheStepInFlightAndStops() throws {
        try assertStopsCleanly(SIGINT)
    }

    /// With calls in parallel, every step already sent finishes and is recorded; none starts after.
    func testTermDuringAParallelBatchFinishesWhatWasSentAndStops() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 2")
        for id in 1...4 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: 800, times: 4)
        let run = try work.launch(arguments: ["--config", work.configPath, "order", "1", "2", "3", "4"])
        for _ in 0..<150 where try work.store().operations(state: .pending).isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        run.signal(SIGTERM)
        let result = run.wait()
        XCTAssertEqual(result.status, 75, result.stderr)
        let store = try work.store()
        let sent = try sim.state().calls("soft.order.param").count
        XCTAssertTrue((1...2).contains(sent), "at most Parallel orders were in flight, \(sent) sent")
        XCTAssertEqual(try store.operations(state: .pending).count, 0, "every order in flight was recorded")
        XCTAssertEqual(try store.operations(state: .done).count, sent)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 4, "the rest once, nothing twice")
        XCTAssertEqual(try sim.state().licenses.count, 4)
    }
}
