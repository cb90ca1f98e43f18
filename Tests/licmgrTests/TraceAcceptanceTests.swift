import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `--trace FILE` writes every request and answer of a run for support, and nothing secret:
/// not the password, not a session id, not a license key.
final class TraceAcceptanceTests: AcceptanceTestCase {
    /// Blanks, percent signs, an ampersand and a colon: every way a form or an echo may write it.
    private let password = "pa:ss &w%rd+1"

    override var simulatorArguments: [String] { ["--password", password] }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try work.writeConfig(url: sim.url, password: password)
        try FileManager.default.createDirectory(
            atPath: work.directory.appendingPathComponent("support").path, withIntermediateDirectories: true)
    }

    private var tracePath: String { work.directory.appendingPathComponent("support/trace.txt").path }

    private func traceText() throws -> String {
        try String(contentsOfFile: tracePath, encoding: .utf8)
    }

    func testARunWithASessionOrdersAndNewKeysLeavesNoSecretInTheTrace() throws {
        // Enough calls in one run for the client to log in with func=auth and go on with the session.
        let ids = Array(1...12)
        for id in ids { try addService(id, ip: "10.0.0.\(id)") }
        try licmgr(["--trace", tracePath, "order"] + ids.map(String.init))
        let licenses = try work.store().allLicenses()
        XCTAssertEqual(licenses.count, ids.count)
        // After the subcommand too, as the other global options.
        try licmgr(["newkey", String(licenses[0].id), "--trace", tracePath])

        let trace = try traceText()
        let state = try sim.state()
        XCTAssertFalse(state.sessions.isEmpty, "the order run logged in for a session")
        XCTAssertTrue(trace.contains("request auth"), "the login is traced")
        XCTAssertTrue(trace.contains("&auth=********"), "calls made with the session are traced, the id blanked")
        XCTAssertTrue(trace.contains("authinfo=********"))
        XCTAssertTrue(trace.contains("request soft.order.param"))
        XCTAssertTrue(trace.contains("answer soft.order.param: HTTP 200"))
        XCTAssertTrue(trace.contains("clicked_button=newkey"))
        XCTAssertTrue(trace.contains(#""lickey":{"$":"********"}"#), "keys are blanked in the answers that carry them")
        XCTAssertEqual(trace.components(separatedBy: "; times are UTC\n").count - 1, 2, "one header per run, appended")

        var secrets = [password, FormEncoding.encode([("p", password)]).dropFirst(2).description]
        secrets += state.sessions
        secrets += state.licenses.compactMap { $0["lickey"] }.filter { !$0.isEmpty }
        secrets += try work.store().allLicenses().compactMap(\.key)
        XCTAssertGreaterThan(secrets.count, 2 + ids.count, "the keys the remote and the database hold")
        for secret in Set(secrets) {
            XCTAssertFalse(trace.contains(secret), "the trace holds a secret: \(secret)")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: tracePath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }

    /// The first-contact probe logs in with func=auth and calls with the session on its own.
    func testTheFirstContactProbeIsTracedWithoutItsSecrets() throws {
        try sim.seed([["licname": "vps1", "ip": "10.0.0.1", "lickey": "0123456789abcdef0123456789abcdef"]])
        try licmgr(["config", "check", "--remote", "--trace", tracePath])
        let trace = try traceText()
        let state = try sim.state()
        XCTAssertEqual(state.sessions.count, 1)
        XCTAssertTrue(trace.contains("answer auth: HTTP 200"), trace)
        XCTAssertTrue(trace.contains("func=subaccount&out=json&auth=********"), trace)
        XCTAssertTrue(trace.contains("request soft.edit"), trace)
        for secret in [password, state.sessions[0], "0123456789abcdef0123456789abcdef"] {
            XCTAssertFalse(trace.contains(secret), "the trace holds a secret: \(secret)")
        }
    }

    func testATraceFileThatCannotBeOpenedStopsTheRunBeforeAnyCall() throws {
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr(
            "--trace", work.directory.appendingPathComponent("no/such/dir/t").path, "order", "7", expect: 74)
        XCTAssertTrue(run.stderr.contains("cannot open the trace file"), run.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty, "nothing was sent")
    }

    private func licmgr(_ arguments: [String], expect status: Int32 = 0) throws {
        let result = try work.licmgr(arguments)
        XCTAssertEqual(result.status, status, "\(arguments)\n\(result.stdout)\n\(result.stderr)")
    }
}
