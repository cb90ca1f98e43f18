import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class ServiceImportTests: StoreTestCase {
    private func parse(_ text: String) throws -> [Service] {
        try ServiceImport.parse(Data(text.utf8), source: "s.json").map { try $0.applied(to: nil) }
    }

    private func refusal(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let records = try ServiceImport.parse(bytes, source: "s.json")
            XCTFail("accepted \(records)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    private func refusal(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        refusal(Array(text.utf8), file: file, line: line)
    }

    // MARK: - Accepted forms

    func testArrayAndLinesGiveTheSameServices() throws {
        let array = try parse(
            #"[{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite"}, "licenses": [5]}, {"id": "2", "name": "b", "ip": "10.0.0.2", "package": 12, "period": "3", "status": "suspended"}]"#
        )
        let lines = try parse(
            "\u{FEFF}"
                + #"{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite"}, "licenses": [5]}"# + "\r\n\n"
                + #"{"id": "2", "name": "b", "ip": "10.0.0.2", "package": 12, "period": "3", "status": "suspended"}"#)
        XCTAssertEqual(array, lines)
        XCTAssertEqual(
            array,
            [
                Service(id: 1, name: "a", ip: "10.0.0.1", addons: ["panel": "Lite"]),
                Service(id: 2, name: "b", ip: "10.0.0.2", package: 12, period: 3, status: .suspended),
            ])
        XCTAssertEqual(try parse(" \n\t"), [])
    }

    func testEscapesAreDecoded() throws {
        let service = try XCTUnwrap(
            try parse(#"{"id": 1, "name": "a\"b\\c\/d\te\u00e9\ud83d\ude00", "ip": "10.0.0.1"}"#).first)
        XCTAssertEqual(service.name, "a\"b\\c/d\teé😀")
    }

    func testTwoToThe53IsTheLargestId() throws {
        XCTAssertEqual(try parse(#"{"id": 9007199254740992, "name": "a", "ip": "10.0.0.1"}"#).first?.id, 1 << 53)
    }

    // MARK: - Refused

    func testIntegersThatMayHaveBeenRoundedAreRefused() {
        for id in ["9007199254740993", #""9007199254740993""#, "9223372036854775808", "-9007199254740993"] {
            XCTAssertEqual(
                refusal(#"{"id": \#(id), "name": "a", "ip": "10.0.0.1"}"#),
                "s.json, line 1: 'id' \(id.replacingOccurrences(of: "\"", with: "")) is beyond 2^53, where a number in JSON may have been rounded; nothing was imported"
            )
        }
        XCTAssertTrue(refusal(#"{"id": 1, "name": "a", "ip": "10.0.0.1", "package": 1e20}"#).contains("'package'"))
    }

    func testFractionsAndExponentsAreRefused() {
        for field in ["id", "package", "period"] {
            for number in ["1.0", "1e3", "1.5", "2E0", #""1.0""#] {
                let extra = field == "id" ? "" : #", "id": 1"#
                let text = #"{"\#(field)": \#(number), "name": "a", "ip": "10.0.0.1"\#(extra)}"#
                XCTAssertTrue(
                    refusal(text).contains("'\(field)' must be a whole number, without a fraction or exponent"), text)
            }
        }
        XCTAssertTrue(refusal(#"{"id": true, "name": "a", "ip": "10.0.0.1"}"#).contains("'id' must be a number"))
        XCTAssertTrue(refusal(#"{"id": 0, "name": "a", "ip": "10.0.0.1"}"#).contains("'id' must be a positive number"))
    }

    func testNULIsRefusedWhereverItIs() {
        let cases = [
            #"{"id": 1, "name": "a\u0000b", "ip": "10.0.0.1"}"#: "'name' holds a NUL character",
            #"{"id": 1, "name": "a", "ip": "10.0.0.1\u0000x"}"#: "'ip' holds a NUL character",
            #"{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Li\u0000te"}}"#:
                "addon 'panel' holds a NUL character",
            #"{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"pa\u0000nel": "Lite"}}"#:
                "an addon key holds a NUL character",
            #"{"id": 1, "name": "a", "ip": "10.0.0.1", "na\u0000me": "b"}"#: "a key holds a NUL character",
        ]
        for (text, reason) in cases {
            XCTAssertEqual(refusal(text), "s.json, line 1: \(reason); nothing was imported")
        }
        let raw =
            Array(#"{"id": 1, "name": "a", "ip": "10.0.0.1"}"#.utf8) + [0x0A] + Array(#"{"id": 2, "name": "b"#.utf8)
            + [0] + Array(#"", "ip": "10.0.0.2"}"#.utf8)
        XCTAssertEqual(refusal(raw), "s.json, line 2: a NUL byte at byte 61; nothing was imported")
    }

    func testInvalidUTF8IsRefusedByOffsetAndLine() {
        let head = Array("[\n{\"id\": 1, \"name\": \"".utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            XCTAssertEqual(
                refusal(head + [0x61] + bad + Array("\", \"ip\": \"10.0.0.1\"}]".utf8)),
                "s.json, line 2: invalid UTF-8 at byte 22; nothing was imported", "\(bad)")
        }
    }

    func testEscapedHalfSurrogateIsRefused() {
        for escape in [#"\ud800"#, #"\udc00"#, #"\ud800\u0041"#] {
            XCTAssertTrue(
                refusal(#"{"id": 1, "name": "a\#(escape)", "ip": "10.0.0.1"}"#).contains("half a surrogate pair"),
                escape)
        }
    }

    func testAKeyGivenTwiceIsRefused() {
        XCTAssertEqual(
            refusal(#"{"id": 1, "name": "a", "ip": "10.0.0.1", "id": 2}"#),
            "s.json, line 1: not a valid JSON object: key 'id' appears twice in one object; nothing was imported")
    }

    func testBrokenArrayNamesTheLine() {
        XCTAssertEqual(
            refusal("[\n{\"id\": 1, \"name\": \"a\", \"ip\": \"10.0.0.1\"},\n{\"id\": 2 \"name\": \"b\"}\n]"),
            "s.json, line 3: not a valid JSON array: expected ',' or '}'; nothing was imported")
        XCTAssertTrue(refusal("[{}] x").contains("unexpected text after the value"))
        XCTAssertTrue(refusal(String(repeating: "[", count: 100_000)).contains("nested more than 64 deep"))
    }

    func testOtherJSONOddsAreRefused() {
        for text in [
            #"{"id": 01, "name": "a", "ip": "10.0.0.1"}"#, #"{"id": 1, "name": "a", "ip": "10.0.0.1",}"#,
            #"{"id": 1, "name": 'a', "ip": "10.0.0.1"}"#, #"{"id": 1, "name": "a\x", "ip": "10.0.0.1"}"#,
            "{\"id\": 1, \"name\": \"a\tb\", \"ip\": \"10.0.0.1\"}", #"{"id": 1, "name": "a", "ip": "10.0.0.1""#,
            #"{"id": -, "name": "a", "ip": "10.0.0.1"}"#, #"{"id": 1, "name": nul, "ip": "10.0.0.1"}"#,
        ] {
            XCTAssertTrue(refusal(text).hasPrefix("s.json, line 1: not a valid JSON object: "), text)
        }
    }

    /// Found by fuzzing: a key holding an escaped line break was echoed into a two-line error.
    func testAKeyFromTheInputIsQuotedOnOneLine() {
        for text in [#"{"id": 7, "na\nme": "x"}"#, #"{"id": 7, "addons": {"pa\nnel": 5}}"#] {
            XCTAssertThrowsError(try ServiceImport.parse(Data(text.utf8), source: "s.json"), text) {
                XCTAssertFalse("\($0)".contains("\n"), "\($0)")
                XCTAssertTrue("\($0)".contains("\\u{a}"), "\($0)")
            }
        }
    }

    // MARK: - Keys left out, keys null

    func testAKeyLeftOutIsNotGivenAndNullClears() throws {
        let records = try ServiceImport.parse(
            Data(#"{"id": 7, "ip": "10.0.0.8", "package": null, "addons": null}"#.utf8), source: "s.json")
        XCTAssertEqual(
            records, [ServiceRecord(id: 7, ip: "10.0.0.8", package: .some(nil), addons: [:], location: "line 1")])
        let current = Service(
            id: 7, name: "vps7", ip: "10.0.0.7", package: 12, period: 3, addons: ["panel": "Lite"], status: .suspended)
        XCTAssertEqual(
            try records[0].applied(to: current),
            Service(id: 7, name: "vps7", ip: "10.0.0.8", period: 3, status: .suspended))
        XCTAssertThrowsError(try records[0].applied(to: nil)) {
            XCTAssertEqual("\($0)", "service 7 is new, so it needs 'name'")
        }
    }

    func testNameIPAndStatusCannotBeNull() {
        let cases = [
            "name": #"{"id": 1, "name": null, "ip": "10.0.0.1"}"#, "ip": #"{"id": 1, "name": "a", "ip": null}"#,
            "status": #"{"id": 1, "status": null}"#,
        ]
        for (key, text) in cases {
            XCTAssertEqual(
                refusal(text),
                "s.json, line 1: '\(key)' is null: leave the key out to keep the service's \(key), a \(key) cannot "
                    + "be cleared; nothing was imported")
        }
    }

    // MARK: - Closed services

    private func importing(_ text: String, prune: PruneGuard? = nil, dryRun: Bool = false) throws -> ImportResult {
        let registry = ServiceRegistry(
            config: Config(path: "/c"), store: store, time: FixedTime(day: Day(year: 2025, month: 6, day: 15)!),
            command: "service import")
        return try registry.importServices(
            ServiceImport.parse(Data(text.utf8), source: "s.json"), source: "s.json", prune: prune, dryRun: dryRun)
    }

    private func closedService() throws {
        try store.insert(Service(id: 7, name: "vps7", ip: "10.0.0.7", status: .closed), at: "2025-06-01 00:00:00")
    }

    func testARecordThatWouldReopenAClosedServiceIsRefused() throws {
        try closedService()
        for status in [#", "status": "active""#, #", "status": "suspended""#] {
            let text = """
                {"id": 8, "name": "vps8", "ip": "10.0.0.8"}
                {"id": 7, "name": "vps7", "ip": "10.0.0.7"\(status)}
                """
            XCTAssertThrowsError(try importing(text), status) { error in
                XCTAssertTrue(
                    "\(error)".hasPrefix(
                        "s.json, line 2: service 7 is closed; an import never reopens or changes it (status closed -> "
                    ), "\(error)")
            }
            XCTAssertEqual(try store.service(7)?.status, .closed)
            XCTAssertNil(try store.service(8), "all or nothing")
        }
        XCTAssertTrue(try store.history(serviceID: nil, licenseID: nil).isEmpty)
    }

    func testAClosedServiceMayBeRepeatedButNotChanged() throws {
        try closedService()
        let same = try importing(#"{"id": 7, "name": "vps7", "ip": "10.0.0.7", "status": "closed"}"#)
        XCTAssertEqual(same.unchanged, 1)
        XCTAssertEqual(try importing(#"{"id": 7, "ip": "10.0.0.7"}"#).unchanged, 1, "a status left out stays closed")
        XCTAssertThrowsError(try importing(#"{"id": 7, "name": "renamed", "ip": "10.0.0.7", "status": "closed"}"#)) {
            XCTAssertTrue("\($0)".contains("(name vps7 -> renamed)"), "\($0)")
        }
        XCTAssertEqual(try store.service(7)?.name, "vps7")
    }

    func testImportMayCloseAService() throws {
        try store.insert(Service(id: 7, name: "vps7", ip: "10.0.0.7"), at: "2025-06-01 00:00:00")
        let counts = try importing(#"{"id": 7, "name": "vps7", "ip": "10.0.0.7", "status": "closed"}"#)
        XCTAssertEqual(counts.changed, 1)
        XCTAssertEqual(try store.service(7)?.status, .closed)
    }

    // MARK: - Pruning

    /// Services 1...`count`, open; returns the import text that keeps the first `kept` of them.
    private func openServices(_ count: Int, keeping kept: Int) throws -> String {
        for id in 1...count {
            try store.insert(Service(id: id, name: "vps\(id)", ip: "10.0.0.\(id)"), at: "2025-06-01 00:00:00")
        }
        return (0..<kept).map { #"{"id": \#($0 + 1), "name": "vps\#($0 + 1)", "ip": "10.0.0.\#($0 + 1)"}"# }
            .joined(separator: "\n")
    }

    private func openCount() throws -> Int { try store.services(includeClosed: false).count }

    func testPruneClosesWhatTheExportLeavesOutUpToTheGuard() throws {
        // 60 open: 6 is more than 5 but exactly 10%, so it passes; 7 would not.
        let text = try openServices(60, keeping: 54)
        let result = try importing(text, prune: PruneGuard())
        XCTAssertEqual(result.closed.map(\.id), Array(55...60))
        XCTAssertEqual(result.unchanged, 54)
        XCTAssertEqual(try openCount(), 54)
        XCTAssertEqual(try store.service(60)?.status, .closed)
        let rows = try store.history(serviceID: 60, licenseID: nil)
        XCTAssertEqual(rows.map(\.action), ["service close"])
        XCTAssertTrue(rows.first?.detail.contains("absent from the export (s.json, --prune)") == true, "\(rows)")
    }

    func testPruneRefusesAnExportThatLooksTruncated() throws {
        let text = try openServices(60, keeping: 53)
        XCTAssertThrowsError(
            try importing(text + "\n" + #"{"id": 99, "name": "new", "ip": "10.0.1.1"}"#, prune: PruneGuard())
        ) {
            XCTAssertEqual(
                "\($0)",
                "s.json: --prune would close 7 of 60 open services, more than 5 and more than 10% of them (is the "
                    + "export whole?); nothing was imported; if that is meant, run again with --prune-max 7 (with "
                    + "--dry-run to list them first)")
        }
        XCTAssertEqual(try openCount(), 60)
        XCTAssertNil(try store.service(99), "all or nothing")
        XCTAssertEqual(try importing(text, prune: PruneGuard(max: 7)).closed.count, 7)
        XCTAssertEqual(try openCount(), 53)
    }

    func testFewClosesPassUpToHalf() throws {
        let text = try openServices(6, keeping: 3)
        XCTAssertEqual(try importing(text, prune: PruneGuard()).closed.count, 3)
    }

    /// A small account's export cut short: five of six services would close.
    func testMostOfASmallAccountIsNotClosedUnlessTold() throws {
        let text = try openServices(6, keeping: 1)
        XCTAssertThrowsError(try importing(text, prune: PruneGuard())) {
            XCTAssertTrue("\($0)".contains("would close 5 of 6 open services, more than half of them"), "\($0)")
        }
        XCTAssertEqual(try openCount(), 6)
        XCTAssertEqual(try importing(text, prune: PruneGuard(max: 5)).closed.count, 5)
    }

    func testPruneRefusesAnEmptyExportUnlessTold() throws {
        _ = try openServices(2, keeping: 0)
        for empty in ["", "[]", "\n\n"] {
            XCTAssertThrowsError(try importing(empty, prune: PruneGuard()), empty.debugDescription) {
                XCTAssertTrue(
                    "\($0)".contains("would close 2 of 2 open services, the export holds no services"), "\($0)")
            }
        }
        XCTAssertThrowsError(try importing("", prune: PruneGuard(max: 1)))
        XCTAssertEqual(try openCount(), 2)
        XCTAssertEqual(try importing("", prune: PruneGuard(max: 2)).closed.count, 2)
        XCTAssertEqual(try openCount(), 0)
    }

    func testPruneDryRunChangesNothing() throws {
        let text = try openServices(3, keeping: 2) + "\n" + #"{"id": 9, "name": "vps9", "ip": "10.0.0.9"}"#
        let result = try importing(text, prune: PruneGuard(), dryRun: true)
        XCTAssertEqual(result.closed.map(\.id), [3])
        XCTAssertEqual(result.added, 1)
        XCTAssertEqual(try openCount(), 3)
        XCTAssertNil(try store.service(9))
        XCTAssertTrue(try store.history(serviceID: nil, licenseID: nil).isEmpty)
    }

    func testWithoutPruneAServiceLeftOutStaysOpen() throws {
        let text = try openServices(2, keeping: 1)
        XCTAssertEqual(try importing(text).closed, [])
        XCTAssertEqual(try openCount(), 2)
    }
}

/// What an import says the next checkevent would buy for each change, from the known state.
final class ImportCostTests: StoreTestCase {
    private static let today = Day(year: 2025, month: 6, day: 15)!

    private func importing(_ text: String, dryRun: Bool = true) throws -> ImportResult {
        let registry = ServiceRegistry(
            config: Config(path: "/c"), store: store, time: FixedTime(day: Self.today), command: "service import")
        return try registry.importServices(
            ServiceImport.parse(Data(text.utf8), source: "s.json"), source: "s.json", dryRun: dryRun)
    }

    private func catalogue() throws {
        try store.saveCatalogue(
            [
                Tariff(
                    id: 55227, name: "ISPmanager 6 Lite", active: true, itemType: "soft", currency: "EUR",
                    periods: [.init(id: 1, type: "month", length: 1, cost: "10.00")]),
                Tariff(
                    id: 55228, name: "ISPmanager 6 Pro", active: true, itemType: "soft", currency: "EUR",
                    periods: [.init(id: 1, type: "month", length: 1, cost: "18.00")]),
            ], at: "2025-06-01 00:00:00")
    }

    /// Service 7 with a Lite license, `status` and its license's expiry as given.
    private func served(status: Service.Status = .active, license: License.Status = .active, expires: Day? = nil)
        throws
    {
        try store.insert(
            Service(id: 7, name: "vps7", ip: "10.0.0.7", addons: ["panel": "Lite"], status: status),
            at: "2025-06-01 00:00:00")
        try store.save(
            License(
                id: 100, name: "Item #7 addon vps7", ip: "10.0.0.7", pricelist: 55227, period: 1, status: license,
                expires: expires ?? Self.today.adding(days: 20)), at: "2025-06-01 00:00:00")
        try store.attach(license: 100, to: 7, addon: "panel")
    }

    private func steps(_ result: ImportResult) -> [String] { result.costs.map(\.text) }

    func testANewActiveServiceIsAnOrderAndASuspendedOneNothing() throws {
        try catalogue()
        let result = try importing(
            """
            {"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite", "ipmgr": "off"}}
            {"id": 2, "name": "b", "ip": "10.0.0.2", "addons": {"panel": "Pro"}, "status": "suspended"}
            {"id": 3, "name": "c", "ip": "10.0.0.3"}
            """)
        XCTAssertEqual(steps(result), ["order ISPmanager 6 Lite (55227), 1 month: 10.00 EUR"])
        XCTAssertEqual(result.total?.amount, 100_000)
        XCTAssertEqual(result.changes.map(\.kind), [.added, .added, .added])
    }

    func testATariffChangeIsPricedAndAnIPChangeIsFree() throws {
        try catalogue()
        try served()
        XCTAssertEqual(steps(try importing(#"{"id": 7, "ip": "10.0.0.8"}"#)), [])
        let result = try importing(#"{"id": 7, "addons": {"panel": "Pro"}}"#)
        XCTAssertEqual(steps(result), ["change license 100 to ISPmanager 6 Pro (55228), 1 month: 18.00 EUR"])
        XCTAssertEqual(result.changes.first?.fields, ["addons"])
        XCTAssertEqual(result.changes.first?.summary, "addons panel=Lite -> panel=Pro")
    }

    func testResumingAServiceWhoseLicenseLapsedRenewsIt() throws {
        try catalogue()
        try served(status: .suspended, license: .suspended, expires: Self.today.adding(days: -3))
        XCTAssertEqual(
            steps(try importing(#"{"id": 7, "status": "active"}"#)),
            ["renew lapsed license 100 (ISPmanager 6 Lite (55227)), 1 month: 10.00 EUR"])
        XCTAssertEqual(steps(try importing(#"{"id": 7, "name": "renamed"}"#)), [], "still suspended")
    }

    func testAnAddonThatNeededTheSameTariffBeforeCostsNothingNew() throws {
        try catalogue()
        try store.insert(
            Service(id: 7, name: "vps7", ip: "10.0.0.7", addons: ["panel": "Lite"]), at: "2025-06-01 00:00:00")
        // No license yet: checkevent orders it whatever the import says, so the import adds no cost.
        XCTAssertEqual(steps(try importing(#"{"id": 7, "ip": "10.0.0.8"}"#)), [])
        XCTAssertEqual(
            steps(try importing(#"{"id": 7, "addons": {"panel": "Pro"}}"#)),
            ["order ISPmanager 6 Pro (55228), 1 month: 18.00 EUR"])
    }

    func testWithoutACataloguePricesAreUnknown() throws {
        let result = try importing(#"{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite"}}"#)
        XCTAssertEqual(steps(result), ["order tariff 55227, 1 month: unknown price"])
        XCTAssertNil(result.total)
    }

    func testPruneClosesAreListedAndCostNothing() throws {
        try served()
        let registry = ServiceRegistry(
            config: Config(path: "/c"), store: store, time: FixedTime(day: Self.today), command: "service import")
        let result = try registry.importServices([], source: "s.json", prune: PruneGuard(max: 1), dryRun: true)
        XCTAssertEqual(result.changes.map(\.kind), [.closed])
        XCTAssertEqual(result.changes.first?.fields, ["status"])
        XCTAssertEqual(result.costs, [])
    }
}
