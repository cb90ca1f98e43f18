import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// SIGTERM or SIGINT in the middle of a run: the step in flight finishes and is recorded, no
/// other step is sent, what was done is printed, and the run exits 75. Reads stop at once. A
/// second signal abandons the steps in flight: they stay journaled in doubt, exit 75 at once.
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

    /// Waits until `done` holds, for up to `seconds`.
    private func waitUp(to seconds: Double, until done: () throws -> Bool) rethrows {
        let end = Date().addingTimeInterval(seconds)
        while try !done(), Date() < end { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// The read-back of keys after an order batch is only a convenience: a signal stops it at
    /// once, and the run ends with what it bought.
    func testInterruptStopsTheReadBack() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 4")
        for id in 1...12 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.fault("soft.edit", "latency", ms: 1500, times: 12)
        let run = try work.launch(arguments: ["--config", work.configPath, "order"] + (1...12).map(String.init))
        try waitUp(to: 10) { try work.store().operations(state: .done).count == 12 }
        Thread.sleep(forTimeInterval: 0.3)
        run.signal(SIGINT)
        let signalled = Date()
        let result = run.wait()
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 1, "the reads in flight were waited for")
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("interrupted by SIGINT"), result.stderr)
        XCTAssertTrue(result.stderr.contains("done before it: 12 ordered"), result.stderr)
        XCTAssertFalse(result.stderr.contains("could not be read back"), result.stderr)
        Thread.sleep(forTimeInterval: 1.5)
        let views = try sim.state().calls("soft.edit").count
        XCTAssertLessThanOrEqual(views, 4, "no license was read after the signal, \(views) were")
    }

    /// A signal while the last steps of a batch are in flight stops the run there: it does not go
    /// on to read back what it bought and exit 0.
    func testTermWhileTheLastStepsFlyStopsBeforeTheReadBack() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 4")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: 800, times: 3)
        let run = try work.launch(arguments: ["--config", work.configPath, "order", "1", "2", "3"])
        try waitUp(to: 3) { try work.store().operations(state: .pending).count == 3 }
        run.signal(SIGTERM)
        let result = run.wait()
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("interrupted by SIGTERM"), result.stderr)
        XCTAssertTrue(result.stderr.contains("done before it: 3 ordered"), result.stderr)
        XCTAssertEqual(try work.store().operations(state: .done).count, 3)
        XCTAssertEqual(try sim.state().calls("soft.edit").count, 0, "read back after the signal")
    }

    /// A second signal while changes are in flight ends the run at once: they stay journaled in
    /// doubt, each named, and the next run settles them without buying anything twice.
    private func assertSecondSignalAbandons(_ number: Int32) throws {
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        try work.writeConfig(url: sim.url, extra: "Parallel 4")
        for id in 1...8 { try addService(id, ip: "10.0.0.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: 4000, times: 8)
        let run = try work.launch(arguments: ["--config", work.configPath, "order"] + (1...8).map(String.init))
        try waitUp(to: 5) { try work.store().operations(state: .pending).count == 4 }
        run.signal(number)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertTrue(run.isRunning, "the first signal waits for the orders in flight")
        run.signal(number)
        let signalled = Date()
        let result = run.wait()
        XCTAssertLessThan(Date().timeIntervalSince(signalled), 1.5, "the answers were waited for")
        XCTAssertEqual(result.status, 75, result.stderr)
        let abandoned = result.stdout.split(separator: "\n").filter {
            $0.contains("soft.order.param: its answer was abandoned at a second \(name), so the step is in doubt")
        }
        XCTAssertEqual(abandoned.count, 4, result.stdout)
        XCTAssertTrue(
            result.stderr.contains(
                "stopped: a second \(name) abandoned the steps in flight, unanswered; nothing was changed before it; "
                    + "4 step(s) in doubt are journaled and the next run settles them"), result.stderr)
        let pending = try work.store().operations(state: .pending)
        XCTAssertEqual(pending.count, 4, "every order sent stays journaled")
        XCTAssertTrue(pending.allSatisfy { $0.result?.hasPrefix("in doubt, abandoned") == true }, "\(pending)")

        // The remote carries the orders out after all; the next run finds them and buys the rest.
        try waitUp(to: 8) { try sim.state().licenses.count == 4 }
        try sim.clearFaults()
        try licmgr("checkevent")
        XCTAssertEqual(try work.store().operations(state: .pending).count, 0)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 8, "nothing bought twice")
        XCTAssertEqual(Set(state.licenses.compactMap { $0["ip"] }).count, 8, "one license per service")
    }

    func testASecondInterruptAbandonsTheStepsInFlight() throws {
        try assertSecondSignalAbandons(SIGINT)
    }

    func testASecondTermAbandonsTheStepsInFlight() throws {
        try assertSecondSignalAbandons(SIGTERM)
    }
}
