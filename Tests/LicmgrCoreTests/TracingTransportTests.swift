import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The trace holds every request and answer, and none of the password, the session ids and
/// the license keys, whatever shape the remote gives them.
final class TracingTransportTests: XCTestCase {
    private let password = "p@ss w:rd&1"
    private var directory: URL!
    private var path: String { directory.appendingPathComponent("trace").path }
    private var scripted: ScriptedTransport!
    private var client: BillmgrClient!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        scripted = ScriptedTransport()
        let tracing = TracingTransport(wrapping: scripted, trace: try TraceFile(path: path), password: password)
        client = BillmgrClient(
            credentials: Credentials(url: "https://billing.example/billmgr", user: "bob", password: password),
            transport: tracing, sessionAfter: 1)
    }

    override func tearDownWithError() throws {
        client = nil
        try FileManager.default.removeItem(at: directory)
    }

    private func trace() throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func testTheFileIsTheOwnersAloneAndEachRunAppends() throws {
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        try TraceFile(path: path).write("first run")
        try TraceFile(path: path).write("second run")
        XCTAssertEqual(
            try trace().split(separator: "\n").map { $0.split(separator: " ").dropFirst(2).joined(separator: " ") },
            ["first run", "second run"])
    }

    func testPasswordAndSessionNeverReachTheTrace() throws {
        scripted.enqueue(.body(#"{"doc": {"auth": {"$id": "5e55i0n", "$": "5e55i0n"}}}"#), for: "auth")
        scripted.respond(to: "soft.suspend") { _ in .body(#"{"doc": {"ok": {}}}"#) }
        // A remote that echoes the request back shows the secrets in its answer.
        scripted.enqueue(
            .body(#"{"doc": {"error": {"$type": "value", "msg": {"$": "bad request auth=5e55i0n"}}}}"#),
            for: "soft.resume")
        try client.suspend(license: 1, line: .soft)
        try client.suspend(license: 2, line: .soft)
        XCTAssertThrowsError(try client.resume(license: 2, line: .soft))
        let text = try trace()
        XCTAssertEqual(scripted.requests.map(\.function), ["soft.suspend", "auth", "soft.suspend", "soft.resume"])
        XCTAssertTrue(text.contains("request auth"), text)
        XCTAssertTrue(text.contains("username=bob&password=********"), text)
        XCTAssertTrue(text.contains("authinfo=********"), text)
        XCTAssertTrue(text.contains("out=json&auth=********&elid=2"), text)
        XCTAssertTrue(text.contains("answer soft.resume: HTTP 200"), text)
        for secret in [password, "p%40ss%20w%3Ard%261", "5e55i0n"] {
            XCTAssertFalse(text.contains(secret), "\(secret) in \(text)")
        }
    }

    func testLicenseKeysInEveryShapeAreBlanked() throws {
        let answers = [
            #"{"doc": {"lickey": "k3y-plain"}}"#,
            #"{"doc": {"lickey": {"$": "k3y-text"}}}"#,
            #"{"doc": {"lickey": {"$orig": "x", "$" : "k3y-attr"}}}"#,
            #"{"doc": {"elem": [{"lickey": [{"$": "k3y-one"}, "k3y-two"]}]}}"#,
            #"{"doc": {"lickey": {"$": "k3y-escaped\"quote"}}}"#,
            #"{"doc": {"id": {"$": "7"}, "lickey": {"$": "k3y-cut-sh"#,
        ]
        for answer in answers { scripted.enqueue(.body(answer), for: "soft.edit") }
        for _ in answers { _ = try? client.viewLicense(7, line: .soft) }
        let text = try trace()
        XCTAssertEqual(text.components(separatedBy: "answer soft.edit: HTTP 200").count - 1, answers.count)
        XCTAssertFalse(text.contains("k3y"), text)
        XCTAssertTrue(text.contains(#"{"doc": {"lickey": {"$": "********"}}}"#), text)
        XCTAssertTrue(text.contains(#""$orig": "x""#), "only the key is blanked: \(text)")
    }

    func testAnEmptyKeyAndOtherFieldsStayAsTheyCame() throws {
        XCTAssertEqual(TracingTransport.licenseKeys(in: #"{"lickey": {}, "licname": {"$": "lickey"}}"#), [])
        XCTAssertEqual(
            TracingTransport.licenseKeys(in: #"{"a": {"lickey" : "x1", "b": 2}, "lickey":"y2"}"#), ["x1", "y2"])
    }

    func testBatchesAreTracedWithTheNumberOfEachRequest() throws {
        scripted.respond(to: "soft.suspend") { _ in .body(#"{"doc": {"ok": {}}}"#) }
        scripted.enqueue(.failure(.answerLost(function: "soft.resume", detail: "reset")), for: "soft.resume")
        let client = BillmgrClient(
            credentials: Credentials(url: "https://billing.example/billmgr", user: "bob", password: password),
            transport: TracingTransport(wrapping: scripted, trace: try TraceFile(path: path), password: password))
        try client.perform(
            [.suspend(license: 1, line: .soft), .resume(license: 1, line: .soft)], parallel: 2, each: { _, _ in })
        let text = try trace()
        XCTAssertTrue(text.contains("#1 request soft.suspend"), text)
        XCTAssertTrue(text.contains("#1 answer soft.suspend: HTTP 200, 19 bytes"), text)
        XCTAssertTrue(text.contains("#2 no answer soft.resume: soft.resume: the answer was lost (reset)"), text)
    }

    func testAFileThatCannotBeCreatedIsAnIOError() {
        XCTAssertThrowsError(try TraceFile(path: directory.appendingPathComponent("none/trace").path)) { error in
            XCTAssertEqual(ExitStatus.of(error), .ioError)
            XCTAssertTrue("\(error)".hasPrefix("cannot open the trace file "), "\(error)")
        }
    }
}
