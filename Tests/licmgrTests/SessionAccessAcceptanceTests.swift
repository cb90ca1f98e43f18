import Foundation
import LicmgrTestSupport
import XCTest

/// BILLmanager 6 refuses a call of a dead session as `access`, "Insufficient privileges to
/// perform the function". A session dies an hour after its last call or at a server restart;
/// the refusal means nothing was done, so licmgr sends the call once more with the password.
final class SessionAccessAcceptanceTests: AcceptanceTestCase {
    /// Sessions die every four calls: a run long enough to log in loses its session mid-batch.
    override var simulatorArguments: [String] { ["--dialect", "session-access", "--session-calls", "4"] }

    /// Each order of the batch lands once, those the dead session refused included.
    private func assertEachOrderLandedOnce(services: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let orders = try sim.state().calls("soft.order.param")
        let landed = orders.filter { $0.result == "ok" }
        XCTAssertEqual(landed.count, services, file: file, line: line)
        XCTAssertEqual(
            Set(landed.compactMap { $0.params["ip"] }).count, services, "each IP once", file: file, line: line)
        XCTAssertTrue(
            orders.contains { $0.result == "error:access" }, "a session died mid-batch", file: file, line: line)
        XCTAssertEqual(try sim.state().licenses.count, services, file: file, line: line)
    }

    func testSessionsDyingMidBatchLoseNoOrder() throws {
        for id in 1...30 { try addService(id, ip: "10.0.1.\(id)") }
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 30, run.stdout)
        XCTAssertEqual((run.jsonObject["errors"] as? [Any])?.count ?? 0, 0, run.stdout)
        try assertEachOrderLandedOnce(services: 30)
        XCTAssertEqual(try work.store().allLicenses().filter { $0.serviceID != nil }.count, 30)
        let next = try licmgr("checkevent", "--json")
        XCTAssertEqual(next.jsonObject["ordered"] as? Int, 0, next.stdout)
        XCTAssertEqual(try sim.state().calls("soft.order.param").filter { $0.result == "ok" }.count, 30)
    }

    /// One at a time, through the single-call path, as `Parallel 1` sends them.
    func testSessionsDyingBetweenSingleCallsLoseNoOrder() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        for id in 1...20 { try addService(id, ip: "10.0.2.\(id)") }
        _ = try work.licmgr(["order"] + (1...20).map(String.init))
        try assertEachOrderLandedOnce(services: 20)
    }
}

/// A listing long enough to log in, whose session dies between its pages.
final class SessionAccessListingAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] {
        ["--dialect", "session-access", "--session-calls", "3", "--max-page", "1"]
    }

    func testADeadSessionOnAListingIsReadAgain() throws {
        try sim.seed((1...30).map { ["licname": "lic \($0)", "ip": "10.0.3.\($0)", "pricelist": "55227"] })
        for parallel in [1, 4] {
            try work.writeConfig(url: sim.url, extra: "Parallel \(parallel)")
            try sim.clearFaults()
            let before = try sim.state().calls("soft").count
            try licmgr("sync")
            let pages = try sim.state().calls("soft").dropFirst(before)
            XCTAssertTrue(pages.contains { $0.result == "error:access" }, "Parallel \(parallel): the session died")
            XCTAssertEqual(try licmgr("list", "--json").jsonArray.count, 30, "Parallel \(parallel)")
        }
    }
}

/// A server restart kills every session at once, mid-run.
final class SessionRestartAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] {
        ["--dialect", "session-access", "--session-calls", "0", "--latency", "40"]
    }

    func testARestartMidBatchLosesNoOrder() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        for id in 1...30 { try addService(id, ip: "10.0.4.\(id)") }
        let run = try work.launch(arguments: ["--config", work.configPath, "order"] + (1...30).map(String.init))
        // Once orders are landing, the run holds a session: the restart takes it away.
        let deadline = Date().addingTimeInterval(20)
        while try sim.state().calls("soft.order.param").isEmpty, Date() < deadline { usleep(20_000) }
        try sim.expireSessions()
        let result = run.wait()
        XCTAssertEqual(result.status, 0, result.stderr)
        let orders = try sim.state().calls("soft.order.param")
        XCTAssertEqual(orders.filter { $0.result == "ok" }.count, 30)
        XCTAssertEqual(orders.filter { $0.result == "error:access" }.count, 1, "one refused, then the password")
    }
}
