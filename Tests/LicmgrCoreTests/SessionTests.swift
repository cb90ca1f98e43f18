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

    private static let deadSession =
        #"{"doc": {"error": {"$type": "access", "$object": "soft.suspend", "msg": {"$": "Insufficient privileges to perform the function"}}}}"#

    /// BILLmanager 6 refuses a call of a dead session as a lack of rights: nothing was done,
    /// so the call goes once more with the password.
    func testAnAccessRefusalOfASessionIsADeadSessionAndTheCallIsMadeAgain() throws {
        transport.enqueue(.body(#"{"doc": {"auth": {"$id": "abc123"}}}"#), for: "auth")
        try suspend(2)
        transport.enqueue(.body(Self.deadSession), for: "soft.suspend")
        try client.suspend(license: 3, line: .soft)
        let tries = transport.requests(for: "soft.suspend").suffix(2)
        XCTAssertEqual(tries.map { $0.form["elid"] }, ["3", "3"])
        XCTAssertEqual(tries.map { $0.form["auth"] }, ["abc123", nil])
        XCTAssertEqual(tries.last?.form["authinfo"], "bob:\(password)")
    }

    /// Without a session, `access` is the remote's answer about the account's rights.
    func testAnAccessRefusalWithThePasswordIsARealRefusal() throws {
        transport.enqueue(.body(Self.deadSession), for: "soft.suspend")
        XCTAssertThrowsError(try client.suspend(license: 1, line: .soft)) { error in
            guard case .refused(_, "access", _, _, _)? = error as? RemoteError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(transport.requests(for: "soft.suspend").count, 1)
    }

    /// A session that dies mid-batch: each call it refused goes once more with the password,
    /// those not yet sent go with the password only, and each call is started and answered once.
    func testABatchResendsOnceEachCallADeadSessionRefused() throws {
        transport.enqueue(.body(#"{"doc": {"auth": {"$id": "abc123"}}}"#), for: "auth")
        let transport = self.transport!
        transport.respond(to: "soft.suspend") { request in
            request.form["auth"] != nil && request.form["elid"] != "1"
                ? .body(Self.deadSession) : .body(#"{"doc": {"ok": {}}}"#)
        }
        var answers: [Int: [Result<RemoteAnswer, RemoteError>]] = [:]
        var started: [Int] = []
        try client.perform(
            (1...4).map { .suspend(license: $0, line: .soft) }, parallel: 2,
            starting: { index in
                started.append(index)
                return true
            }
        ) { index, answer in
            answers[index, default: []].append(answer)
        }
        XCTAssertEqual(answers.keys.sorted(), [0, 1, 2, 3])
        for (_, list) in answers {
            XCTAssertEqual(list.count, 1)
            guard case .success(.done) = list[0] else { return XCTFail("\(list)") }
        }
        XCTAssertEqual(started.sorted(), [0, 1, 2, 3])
        let sent = transport.requests(for: "soft.suspend")
        XCTAssertEqual(sent.filter { $0.form["auth"] != nil }.compactMap { $0.form["elid"] }, ["1", "2"])
        XCTAssertEqual(
            sent.filter { $0.form["authinfo"] != nil }.compactMap { $0.form["elid"] }, ["2", "3", "4"],
            "what the dead session refused went once more, and what was left went with the password")
    }

    /// A page read ahead under a session that died since is read again.
    func testAPageReadAheadWithADeadSessionIsReadAgain() throws {
        transport.enqueue(.body(#"{"doc": {"auth": {"$id": "abc123"}}}"#), for: "auth")
        client.parallel = 4
        client.pageSize = 1
        let transport = self.transport!
        transport.respond(to: "soft") { request in
            if request.form["auth"] != nil && request.form["p_num"] == "5" { return .body(Self.deadSession) }
            let page = Int(request.form["p_num"] ?? "") ?? 0
            let rows = page <= 6 ? [BillmgrJSON.licenseRow(id: page, ip: "192.0.2.\(page)")] : []
            return .body(BillmgrJSON.licensePage(rows, total: 6, pageSize: 1))
        }
        XCTAssertEqual(try client.listLicenses().map(\.id), Array(1...6))
        let fifth = transport.requests(for: "soft").filter { $0.form["p_num"] == "5" }
        XCTAssertEqual(fifth.map { $0.form["auth"] != nil }, [true, false])
    }
}
