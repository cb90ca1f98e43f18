import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// Faults found by reading the code, each pinned by the test that showed it.
final class RegressionTests: XCTestCase {
    func testCRLFConfigParsesLineByLine() throws {
        let config = try ConfigParser().parse(
            "Url https://x.example/b\r\nUser bob\r\nPassword my secret\r\nRenewBefore 3\r\n", path: "/c")
        XCTAssertEqual(config.url, "https://x.example/b")
        XCTAssertEqual(config.user, "bob")
        XCTAssertEqual(config.password, "my secret")
        XCTAssertEqual(config.renewBefore, 3)
    }

    func testCRLFConfigErrorNeverCarriesTheNextLine() {
        XCTAssertThrowsError(
            try ConfigParser().parse("Url https://x.example/b extra\r\nPassword s3cret\r\n", path: "/c")
        ) {
            XCTAssertFalse(String(describing: $0).contains("s3cret"), "\($0)")
            XCTAssertEqual($0 as? ConfigError, .extraValue(file: "/c", line: 1, directive: "Url", value: "extra"))
        }
    }

    func testShortHTTPAddressIsAccepted() throws {
        XCTAssertEqual(try ConfigParser().parse("Url http://a\n", path: "/c").url, "http://a")
        XCTAssertThrowsError(try ConfigParser().parse("Url https://\n", path: "/c"))
    }

    func testDayWantsTwoDigitMonthAndDay() {
        XCTAssertNil(Day("2025-1-5"))
        XCTAssertEqual(Day("2025-01-05")?.description, "2025-01-05")
    }

    func testPasswordEchoedByTheRemoteIsBlanked() {
        let password = "s3cret x"
        let transport = ScriptedTransport()
        let client = BillmgrClient(
            credentials: Credentials(url: "https://b.example/billmgr", user: "bob", password: password),
            transport: transport)
        transport.enqueue(.body("<html>bad request: bob:\(password)</html>"))
        transport.enqueue(.body(BillmgrJSON.error(type: "value", message: "bad authinfo bob:s3cret%20x")))
        for _ in 0..<2 {
            XCTAssertThrowsError(try client.call("soft")) { error in
                let text = String(describing: error)
                XCTAssertFalse(text.contains("s3cret"), text)
                XCTAssertTrue(text.contains("********"), text)
            }
        }
    }

    func testTwoAddonsOfOneTariffGetTwoLicenses() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("licmgr.db"))
        let server = FakeLicenseServer()
        let config = try ConfigParser().parse("Price first 55227\nPrice second 55227\n", path: dir.file("c"))
        try store.insert(Service(id: 7, name: "vps7", ip: "192.0.2.7", addons: ["a": "first", "b": "second"]), at: "t")
        let engine = LicenseEngine(
            config: config, store: store, server: server, time: FixedTime(day: Day("2025-06-15")!),
            command: "order", keys: SequentialKeys())
        _ = try engine.order(serviceIDs: [7], dryRun: false)
        _ = try engine.order(serviceIDs: [7], dryRun: false)
        let licenses = try store.licenses(serviceID: 7)
        XCTAssertEqual(Set(licenses.compactMap(\.addon)), ["a", "b"])
        XCTAssertEqual(Set(licenses.map(\.id)).count, 2)
        XCTAssertEqual(server.orders.count, 2, "the second run changes nothing")
    }

    func testALicenseWithoutATariffIdIsNeverRetariffed() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("licmgr.db"))
        let server = FakeLicenseServer()
        try store.insert(Service(id: 7, name: "vps7", ip: "192.0.2.7", addons: ["panel": "Lite"]), at: "t")
        let odd = License(id: 9, name: "Item #7 addon vps7", ip: "192.0.2.7", pricelist: 0, status: .active)
        server.add(odd)
        try store.save(odd, at: "t")
        try store.attach(license: 9, to: 7, addon: "panel")
        let engine = LicenseEngine(
            config: Config(path: dir.file("c")), store: store, server: server, time: FixedTime(day: Day("2025-06-15")!),
            command: "checkevent", keys: SequentialKeys())
        // Neither the row nor a view tells the tariff: the read fails naming the license, and
        // nothing is changed to, bought for or stored as tariff 0.
        XCTAssertThrowsError(try engine.follow(serviceIDs: [7], dryRun: false)) { error in
            XCTAssertTrue("\(error)".contains("license 9"), "\(error)")
        }
        XCTAssertEqual(server.callCount("changepricelist"), 0)
        XCTAssertEqual(server.callCount("delete"), 0)
        XCTAssertTrue(server.orders.isEmpty)
    }
}
