import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// A long run logs in once (`func=auth`) and sends the session id instead of the password;
/// a short run, or a remote that refuses sessions, keeps sending `authinfo`.
final class SessionTests: XCTestCase {
    private let password = "s3cret:pass"
    private var transport: ScriptedTransport!
    private var client: BillmgrClient!

    override func setUp() {
        super.setUp()
        transport = ScriptedTransport()
        client = BillmgrClient(
            credentials: Credentials(url: "https://billing.example/billmgr", user: "bob", password: password),
            transport: transport, sessionAfter: 2)
        transport.respond(to: "soft.suspend") { _ in .body(#"{"doc": {"ok": {}}}"#) }
    }

    private func suspend(_ times: Int) throws {
        for id in 1...times { try client.suspend(license: id, line: .soft) }
    }

    func testAShortRunSendsThePasswordAndNeverLogsIn() throws {
        try suspend(2)
        XCTAssertTrue(transport.requests(for: "auth").isEmpty)
        XCTAssertEqual(transport.requests.map { $0.form["authinfo"] }, ["bob:\(password)", "bob:\(password)"])
    }

    func testALongRunLogsInOnceAndThenSendsOnlyTheSession() throws {
        transport.enqueue(.body(#"{"doc": {"auth": {"$id": "abc123", "$": "abc123"}}}"#), for: "auth")
        try suspend(5)
        let functions = transport.requests.map(\.function)
        XCTAssertEqual(
            functions, ["soft.suspend", "soft.suspend", "auth", "soft.suspend", "soft.suspend", "soft.suspend"])
        let login = try XCTUnwrap(transport.requests(for: "auth").first)
        XCTAssertEqual(login.form["username"], "bob")
        for request in transport.requests(for: "soft.suspend").suffix(3) {
            XCTAssertEqual(request.form["auth"], "abc123")
            XCTAssertNil(request.form["authinfo"], "the password stays off the wire once a session is open")
        }
    }

    func testARemoteThatRefusesSessionsKeepsThePassword() throws {
        transport.enqueue(
            .body(#"{"doc": {"error": {"$type": "missed", "msg": {"$": "Unknown function"}}}}"#), for: "auth")
        try suspend(5)
        XCTAssertEqual(transport.requests(for: "auth").count, 1, "asked once a run, not per call")
        XCTAssertEqual(transport.requests(for: "soft.suspend").compactMap { $0.form["authinfo"] }.count, 5)
    }

    func testASessionTheRemoteForgetsIsReplacedByThePasswordAndTheCallMadeAgain() throws {
        transport.enqueue(.body(#"{"doc": {"auth": {"$id": "abc123"}}}"#), for: "auth")
        try suspend(2)
        transport.enqueue(
            .body(#"{"doc": {"error": {"$type": "auth", "msg": {"$": "session expired"}}}}"#), for: "soft.suspend")
        try client.suspend(license: 3, line: .soft)
        let last = try XCTUnwrap(transport.requests(for: "soft.suspend").suffix(2).first)
        XCTAssertEqual(last.form["auth"], "abc123")
        XCTAssertEqual(transport.requests(for: "soft.suspend").last?.form["authinfo"], "bob:\(password)")
        try client.suspend(license: 4, line: .soft)
        XCTAssertEqual(transport.requests(for: "auth").count, 1, "no second login in the same run")
    }
}
