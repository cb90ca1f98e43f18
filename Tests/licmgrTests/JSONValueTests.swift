import Foundation
import LicmgrCore
import XCTest

@testable import licmgr

/// licmgr once printed its JSON through JSONSerialization with sorted keys; the contract's
/// documents must come out byte for byte as they did.
final class JSONValueTests: XCTestCase {
    private func text(_ value: JSONValue) -> String {
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func foundation(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// The value as JSONSerialization takes it.
    private func any(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let value): return value
        case .int(let value): return value
        case .money(let amount): return Double(amount) / 10_000
        case .string(let value): return value
        case .array(let elements): return elements.map(any)
        case .object(let object):
            return Dictionary(uniqueKeysWithValues: object.members.map { ($0.key, any($0.value)) })
        }
    }

    func testMoneyIsANumberWithTwoToFourDecimals() throws {
        for (amount, written) in [
            (125_000, "12.50"), (0, "0.00"), (-500, "-0.05"), (1_000_000_000, "100000.00"), (123_450, "12.345"),
            (1048, "0.1048"), (-1, "-0.0001"),
        ] {
            XCTAssertEqual(text(.money(amount)), written)
            let parsed = try JSONSerialization.jsonObject(with: Data("[\(written)]".utf8)) as? [NSNumber]
            XCTAssertEqual(parsed?.first?.doubleValue, Double(amount) / 10_000, written)
        }
    }

    func testStringsAreEscapedAsJSONSerializationEscapedThem() throws {
        var every = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
        every += "\u{80}\u{2028}\u{FEFF}é😀e\u{301}/\\\""
        for string in [every, "", "free.lic", "Item #7 addon vps7.example.com", "a\nb"] {
            XCTAssertEqual(text([.string(string)]), try foundation([string]), string.debugDescription)
        }
    }

    func testContractDocumentsAreAsJSONSerializationPrintedThem() throws {
        let license = License(
            id: 100001, name: "Item #7 addon vps7", ip: "192.0.2.7", pricelist: 55227, period: 1, status: .active,
            expires: Day(year: 2030, month: 1, day: 1), key: "KEY", serviceID: 7, addon: "panel")
        let gone = License(id: 100002, name: "free.lic", ip: "0.0.0.0", pricelist: 55228, status: .active, gone: true)
        let service = Service(
            id: 7, name: "vps7", ip: "192.0.2.7", package: 12, addons: ["panel": "Lite", "ipmgr": "on"])
        var report = RunReport()
        report.add(.ordered, serviceID: 7, addon: "panel", licenseID: 100001, "ordered")
        report.add(.failed, serviceID: 8, "could not")
        report.warn("w")
        report.note("n")
        let documents: [JSONValue] = [
            .object(Rendering.license(license)), .object(Rendering.license(gone, withKey: true)),
            .object(Rendering.service(service, licenses: [license, gone])), .object(Rendering.report(report)),
            .object(Rendering.report(RunReport())), [], [[:]],
        ]
        for document in documents {
            XCTAssertEqual(text(withoutMoney(document)), try foundation(any(withoutMoney(document))))
        }
        // Money keeps its two decimals, which Foundation drops: a run's `spent` is `0.00`, not `0`.
        XCTAssertTrue(text(.object(Rendering.report(report))).contains("\"spent\":0.00,"))
    }

    /// `value` less the members that hold money, which licmgr writes with their decimals.
    private func withoutMoney(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements): return .array(elements.map(withoutMoney))
        case .object(let object):
            return .object(
                JSONObject(
                    members: object.members.compactMap { member in
                        if case .money = member.value { return nil }
                        return (member.key, withoutMoney(member.value))
                    }))
        default: return value
        }
    }

    /// Runs `produce` through `Output.array` into a file; what it printed and what it threw.
    private func streamed(_ produce: ((JSONValue) -> Void) throws -> Void) throws -> (String, (any Error)?) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("licmgr-json-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: path.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: path) }
        let file = try FileHandle(forWritingTo: path)
        var thrown: (any Error)?
        do {
            try Output(json: true, documents: FileDescriptor(raw: file.fileDescriptor)).array(produce)
        } catch {
            thrown = error
        }
        try file.close()
        return (try String(contentsOf: path, encoding: .utf8), thrown)
    }

    func testAStreamedArrayIsTheDocumentOfItsElements() throws {
        let elements = (0..<2000).map { JSONValue.object(["id": .int($0), "name": .string("license \($0)")]) }
        let (printed, error) = try streamed { element in elements.forEach(element) }
        XCTAssertNil(error)
        XCTAssertEqual(printed, text(.array(elements)) + "\n")
        XCTAssertEqual(try streamed { _ in }.0, "[]\n")
    }

    func testAFailureBeforeAnythingIsPrintedLeavesStdoutToTheErrorDocument() throws {
        struct Failure: Error {}
        let (printed, error) = try streamed { element in
            element(.int(1))
            throw Failure()
        }
        XCTAssertEqual(printed, "")
        XCTAssertTrue(error is Failure)
    }

    func testAFailureAfterPartOfTheArrayIsPrintedIsACut() throws {
        struct Failure: Error {}
        let (printed, error) = try streamed { element in
            for n in 0..<20_000 { element(.string("license \(n)")) }
            throw Failure()
        }
        XCTAssertTrue(printed.hasPrefix(#"["license 0","#))
        XCTAssertFalse(printed.hasSuffix("]\n"))
        XCTAssertTrue((error as? ListingCut)?.cause is Failure)
    }

    func testKeysAreSortedByPlainComparisonWhateverTheOrderBuilt() {
        var object: JSONObject = ["b": 1, "ab": 2, "a_b": 3]
        object.set("Z", 4)
        object.set("b", 5)
        XCTAssertEqual(text(.object(object)), #"{"Z":4,"a_b":3,"ab":2,"b":5}"#)
    }
}
