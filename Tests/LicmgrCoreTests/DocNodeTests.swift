import Foundation
import XCTest

@testable import LicmgrCore

final class DocNodeTests: XCTestCase {
    private func doc(_ json: String) throws -> DocNode {
        try DocNode.parse(Data(json.utf8), function: "test")
    }

    private func parseError(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> RemoteError? {
        do {
            _ = try DocNode.parse(Data(body.utf8), function: "soft")
            XCTFail("parsed: \(body)", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testElementAsObjectIsOneElement() throws {
        let node = try doc(#"{"doc": {"elem": {"id": {"$": "1"}}}}"#)
        XCTAssertEqual(node["elem"].elements.map { $0.int("id") }, [1])
    }

    func testElementAsArrayIsSeveralElements() throws {
        let node = try doc(#"{"doc": {"elem": [{"id": {"$": "1"}}, {"id": {"$": "2"}}]}}"#)
        XCTAssertEqual(node["elem"].elements.map { $0.int("id") }, [1, 2])
    }

    func testAbsentElementIsNoElements() throws {
        let node = try doc(#"{"doc": {}}"#)
        XCTAssertFalse(node["elem"].exists)
        XCTAssertTrue(node["elem"].elements.isEmpty)
        XCTAssertNil(node["elem"]["id"].text)
    }

    func testNullElementIsAbsent() throws {
        let node = try doc(#"{"doc": {"elem": null}}"#)
        XCTAssertFalse(node["elem"].exists)
        XCTAssertTrue(node["elem"].elements.isEmpty)
    }

    func testTextForms() throws {
        let node = try doc(#"{"doc": {"a": {"$": "x"}, "b": "y", "c": 42, "d": {}, "e": {"$": ""}}}"#)
        XCTAssertEqual(node["a"].text, "x")
        XCTAssertEqual(node["b"].text, "y")
        XCTAssertEqual(node["c"].text, "42")
        XCTAssertEqual(node.int("c"), 42)
        XCTAssertNil(node["d"].text)
        XCTAssertTrue(node["d"].exists)
        XCTAssertNil(node["e"].text)
        XCTAssertNil(node["missing"].text)
    }

    func testIntOfNonNumberIsNil() throws {
        let node = try doc(#"{"doc": {"id": {"$": "abc"}, "sp": {"$": " 7 "}}}"#)
        XCTAssertNil(node.int("id"))
        XCTAssertEqual(node.int("sp"), 7)
    }

    func testAttributes() throws {
        let node = try doc(#"{"doc": {"error": {"$type": "value", "$object": "elid", "msg": {"$": "bad"}}}}"#)
        XCTAssertEqual(node["error"].attribute("type"), "value")
        XCTAssertEqual(node["error"].attribute("object"), "elid")
        XCTAssertNil(node["error"].attribute("msg"))
        XCTAssertEqual(node["error"]["msg"].text, "bad")
    }

    func testDottedNamesStayAsTheyAre() throws {
        XCTAssertEqual(try doc(#"{"doc": {"item.id": {"$": "9"}}}"#).int("item.id"), 9)
    }

    func testNestedDoc() throws {
        XCTAssertEqual(
            try doc(#"{"doc": {"doc": {"newexpiredate": {"$": "2031-02-03"}}}}"#)["doc"]["newexpiredate"].text,
            "2031-02-03")
    }

    func testNonJSONIsNotProtocol() {
        guard case .notProtocol(let function, let detail)? = parseError("<html>Bad gateway</html>") else {
            return XCTFail("expected notProtocol")
        }
        XCTAssertEqual(function, "soft")
        XCTAssertTrue(detail.contains("not JSON"), detail)
    }

    func testEmptyBodyIsNotProtocol() {
        guard case .notProtocol(_, let detail)? = parseError("") else { return XCTFail("expected notProtocol") }
        XCTAssertTrue(detail.contains("empty body"), detail)
    }

    func testTruncatedJSONIsNotProtocol() {
        guard case .notProtocol? = parseError(#"{"doc": {"elem": [{"id": {"$": "1"}"#) else {
            return XCTFail("expected notProtocol")
        }
    }

    func testJSONWithoutDocIsNotProtocol() {
        guard case .notProtocol(_, let detail)? = parseError(#"{"result": "ok"}"#) else {
            return XCTFail("expected notProtocol")
        }
        XCTAssertTrue(detail.contains("doc"), detail)
    }

    func testDocThatIsNotAnObjectIsNotProtocol() {
        guard case .notProtocol? = parseError(#"{"doc": "ok"}"#) else { return XCTFail("expected notProtocol") }
        guard case .notProtocol? = parseError(#"[{"doc": {}}]"#) else { return XCTFail("expected notProtocol") }
    }

    func testLongBodyIsShortenedInTheError() {
        let body = String(repeating: "x", count: 500)
        guard case .notProtocol(_, let detail)? = parseError(body) else { return XCTFail("expected notProtocol") }
        XCTAssertLessThan(detail.count, 120, detail)
    }
}
