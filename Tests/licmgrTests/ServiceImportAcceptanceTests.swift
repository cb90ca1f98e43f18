import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// What `service import` refuses because it cannot store it as given: each refusal changes nothing.
final class ServiceImportAcceptanceTests: AcceptanceTestCase {
    func testImportNeverReopensAClosedService() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("service", "close", "7")
        try work.writeFile(
            "services.jsonl",
            """
            {"id": 8, "name": "vps8", "ip": "10.0.0.8"}
            {"id": 7, "name": "vps7", "ip": "10.0.0.7", "addons": {"panel": "Lite"}, "status": "active"}
            """)
        let result = try licmgr("service", "import", "services.jsonl", expect: 65)
        XCTAssertTrue(result.stderr.contains("services.jsonl, line 2: service 7 is closed"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line")
        XCTAssertEqual(try work.store().service(7)?.status, .closed)
        XCTAssertNil(try work.store().service(8), "all or nothing")
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    func testImportIdBeyondTwoToThe53IsRefusedNotRounded() throws {
        try licmgr("service", "import", input: #"{"id": 9007199254740992, "name": "big", "ip": "10.0.0.1"}"#)
        let result = try licmgr(
            "service", "import", input: #"[{"id": 9007199254740993, "name": "other", "ip": "10.0.0.2"}]"#, expect: 65)
        XCTAssertTrue(result.stderr.contains("standard input, element 1: 'id'"), result.stderr)
        let kept = try XCTUnwrap(try work.store().service(9_007_199_254_740_992))
        XCTAssertEqual(kept.name, "big")
        XCTAssertEqual(kept.ip, "10.0.0.1")
        XCTAssertEqual(try work.store().services(includeClosed: true).count, 1)
    }

    func testNULInANameIsRefused() throws {
        let input = """
            {"id": 1, "name": "a", "ip": "10.0.0.1"}
            {"id": 2, "name": "b\\u0000c", "ip": "10.0.0.2"}
            """
        let result = try licmgr("service", "import", input: input, expect: 65)
        XCTAssertTrue(result.stderr.contains("standard input, line 2: 'name'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("NUL"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty, "all or nothing")
    }

    func testInvalidUTF8IsRefused() throws {
        var bytes = Data(#"{"id": 1, "name": "a", "ip": "10.0.0.1"}"#.utf8 + [0x0a])
        bytes += Data(#"{"id": 2, "name": "b"#.utf8) + Data([0xff]) + Data(#"", "ip": "10.0.0.2"}"#.utf8)
        try bytes.write(to: work.directory.appendingPathComponent("services.jsonl"))
        let result = try licmgr("service", "import", "services.jsonl", expect: 65)
        XCTAssertTrue(result.stderr.contains("services.jsonl, line 2: invalid UTF-8 at byte 61"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty, "all or nothing")
    }
}
