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

    func testAMemberIsFoundByItsKeyNotByAValueThatSaysIt() throws {
        let node = try doc(#"{"doc": {"a": "id", "id": {"$": "7"}, "b": ["id", {"id": 8}]}}"#)
        XCTAssertEqual(node.int("id"), 7)
        XCTAssertEqual(node["b"].elements.map { $0.int("id") }, [nil, 8])
        XCTAssertEqual(node["b"].text, "id")
    }

    func testEscapedKeysAndTextsAreDecoded() throws {
        let node = try doc(#"{"doc": {"li\u0063name": {"$": "a \"b\" \u00e9"}, "$k\u0065y": "v"}}"#)
        XCTAssertEqual(node["licname"].text, "a \"b\" é")
        XCTAssertEqual(node.attribute("key"), "v")
    }

    func testKeysCompareAsStringsDo() throws {
        // "é" precomposed and decomposed are one String, hence one key.
        let node = try doc(#"{"doc": {"caf\u00e9": {"$": "1"}}}"#)
        XCTAssertEqual(node.int("cafe\u{301}"), 1)
        guard case .notProtocol? = parseError(#"{"doc": {"caf\u00e9": 1, "cafe\u0301": 2}}"#) else {
            return XCTFail("expected notProtocol")
        }
        guard case .notProtocol? = parseError(#"{"doc": {"café": 1, "cafe\#u{301}": 2}}"#) else {
            return XCTFail("expected notProtocol")
        }
    }

    func testANonASCIIKeyMayEqualAnASCIIOne() throws {
        // U+212A KELVIN SIGN is canonically the letter K.
        XCTAssertEqual(try doc(#"{"doc": {"\u212a": {"$": "3"}}}"#).int("K"), 3)
    }

    func testAKeyGivenTwiceIsNotJSONHoweverManyKeysComeBefore() {
        for count in [1, 15, 16, 17, 40] {
            let keys = (0..<count).map { #""k\#($0)": 0"# }.joined(separator: ", ")
            guard case .notProtocol? = parseError(#"{"doc": {\#(keys), "k0": 1}}"#) else {
                return XCTFail("expected notProtocol after \(count) keys")
            }
            XCTAssertNoThrow(try doc(#"{"doc": {\#(keys), "other": 1}}"#))
        }
    }

    func testTheTapeReadsAsTheTreeReads() throws {
        let text = #"{"a": [1, -2.5e3, true, false, null, "x\ty"], "b": {"c": {}, "d": []}, "e": "\ud83d\ude00"}"#
        let value = try StrictJSON.parse(Array(text.utf8)[...])
        XCTAssertEqual(
            value,
            .object([
                "a": .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null, .string("x\ty")]),
                "b": .object(["c": .object([:]), "d": .array([])]), "e": .string("😀"),
            ]))
    }
}
