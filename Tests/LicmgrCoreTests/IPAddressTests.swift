import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class IPAddressTests: StoreTestCase {
    private let at = "2025-06-15 12:00:00"

    private func registry() -> ServiceRegistry {
        ServiceRegistry(
            config: Config(path: "/c"), store: store, time: FixedTime(day: Day(year: 2025, month: 6, day: 15)!),
            command: "test")
    }

    func testEverySpellingOfAnAddressHasOneCanonicalText() {
        XCTAssertEqual(IPAddress.canonical("2001:DB8:0:0:0:0:0:A"), "2001:db8::a")
        XCTAssertEqual(IPAddress.canonical("2001:db8::a"), "2001:db8::a")
        XCTAssertEqual(IPAddress.canonical("2001:0db8:0000:0001:0:0:0:0001"), "2001:db8:0:1::1")
        XCTAssertEqual(IPAddress.canonical("::FFFF:10.0.0.1"), "::ffff:10.0.0.1")
        XCTAssertEqual(IPAddress.canonical("10.0.0.7"), "10.0.0.7")
        XCTAssertEqual(IPAddress.canonical("0.0.0.0"), "0.0.0.0", "the free pool's parking address")
    }

    func testADottedQuadIsTakenAsItIsOnlyInTheFormTheParserPrints() {
        for text in ["10.0.0.7", "0.0.0.0", "255.255.255.255", "192.168.100.1"] {
            XCTAssertTrue(IPAddress.isCanonicalIPv4(text), text)
        }
        for text in ["010.0.0.7", "10.0.0.07", "256.0.0.1", "10.0.0", "10.0.0.1.2", "10..0.1", "10.0.0.1 ", ""] {
            XCTAssertFalse(IPAddress.isCanonicalIPv4(text), text)
        }
    }

    func testWhatIsNoAddressHasNoCanonicalText() {
        for text in ["", "10.0.0.300", "1.2.3", " 10.0.0.1", "::g", "fe80::1%eth0", "free.lic", "10.0.0.1\0x"] {
            XCTAssertNil(IPAddress.canonical(text), text)
        }
    }

    func testServiceAddStoresTheCanonicalText() throws {
        let added = try registry().add(Service(id: 7, name: "vps7", ip: "2001:DB8::A"))
        XCTAssertEqual(added.ip, "2001:db8::a")
        XCTAssertEqual(try store.service(7)?.ip, "2001:db8::a")
    }

    func testSettingAnotherSpellingOfTheSameAddressChangesNothing() throws {
        _ = try registry().add(Service(id: 7, name: "vps7", ip: "2001:db8::a"))
        let after = try registry().set(7, ServiceChange(ip: "2001:DB8:0:0:0:0:0:A"))
        XCTAssertEqual(after.ip, "2001:db8::a")
        XCTAssertEqual(try store.history(serviceID: 7, licenseID: nil).count, 1, "only the add")
    }

    func testImportStoresTheCanonicalText() throws {
        let records = [ServiceRecord(service: Service(id: 7, name: "vps7", ip: "2001:DB8::A"), location: "line 1")]
        _ = try registry().importServices(records, source: "s.json")
        XCTAssertEqual(try store.service(7)?.ip, "2001:db8::a")
        let again = try registry().importServices(records, source: "s.json")
        XCTAssertEqual(again.unchanged, 1)
    }

    func testStoredDottedQuadsReadAsTheParserWouldGiveThem() {
        var texts = ["0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5", "1..2.3"]
        texts += ["1.2.3.", ".1.2.3", "1.2.3.4 ", "1.2.3.0x", "10.0.0.1\0", "١.2.3.4", "1.2.3.1000", "0.00.0.0", ""]
        // Dotted strings near the IPv4 shape.
        let alphabet = Array("0123456789.").map(String.init) + ["00", "25", "255", "256", "x", ":"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            texts.append(
                (0..<Int.random(in: 1...9, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
                    .joined())
        }
        let numbers = ["0", "00", "01", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "999"]
        for _ in 0..<5_000 {
            texts.append((0..<4).map { _ in numbers.randomElement(using: &random)! }.joined(separator: "."))
        }
        for text in texts {
            XCTAssertEqual(SQLiteStore.ip(text), IPAddress.canonical(text) ?? text, text.debugDescription)
        }
    }

    func testRowsWrittenByOlderVersionsReadCanonical() throws {
        try store.insert(Service(id: 7, name: "vps7", ip: "2001:db8::a"), at: at)
        try store.save(License(id: 100001, name: "lic", ip: "2001:db8::a", pricelist: 55227, status: .active), at: at)
        try store.db.query("UPDATE services SET ip = '2001:DB8:0:0:0:0:0:A'")
        try store.db.query("UPDATE licenses SET ip = '2001:DB8:0:0:0:0:0:A'")
        try store.insert(
            RemoteOperation(
                key: "lm-1", kind: .order, serviceID: 7, addon: "panel", licenseID: nil,
                params: ["ip": "2001:DB8:0:0:0:0:0:A", "licname": "Item #7 addon vps7"], command: "order",
                createdAt: at))
        XCTAssertEqual(try store.service(7)?.ip, "2001:db8::a")
        XCTAssertEqual(try store.license(100001)?.ip, "2001:db8::a")
        XCTAssertEqual(try store.operations(state: .pending).first?.params["ip"], "2001:db8::a")
    }

    func testRemoteRowsReadCanonicalAndOtherTextAsItIs() throws {
        func license(ip: String) throws -> License {
            let answer = try JSONSerialization.data(withJSONObject: ["doc": BillmgrJSON.licenseRow(id: 1, ip: ip)])
            return try BillmgrClient.license(from: DocNode.parse(answer, function: "soft"), function: "soft")
        }
        XCTAssertEqual(try license(ip: "2001:DB8:0:0:0:0:0:A").ip, "2001:db8::a")
        XCTAssertEqual(try license(ip: "0.0.0.0").ip, "0.0.0.0")
        XCTAssertEqual(try license(ip: "").ip, "")
        XCTAssertEqual(try license(ip: "pending").ip, "pending")
    }
}
