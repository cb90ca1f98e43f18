import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// Third-party products and platforms live under their own functions.
final class ProductLineTests: XCTestCase {
    func testFunctionsOfEachFamily() {
        XCTAssertEqual(ProductLine.soft.function("soft.order.param"), "soft.order.param")
        XCTAssertEqual(ProductLine.softexternal.function("soft"), "softexternal")
        XCTAssertEqual(ProductLine.platform.function("soft.edit"), "platform.edit")
    }

    func testTariffFamilyFromCatalogueElseKnownIDs() {
        let config = Config(path: "/c")
        let bare = Resolver(config: config, catalogue: Catalogue())
        XCTAssertEqual(bare.line(forTariff: 9203), .softexternal, "CloudLinux")
        XCTAssertEqual(bare.line(forTariff: 55163), .platform, "VMmanager 6")
        XCTAssertEqual(bare.line(forTariff: 55227), .soft)
        let imported = Resolver(
            config: config,
            catalogue: Catalogue(tariffs: [
                777: Tariff(
                    id: 777, name: "Imunify", active: true, itemType: "softexternal", currency: "EUR", periods: [])
            ]))
        XCTAssertEqual(imported.line(forTariff: 777), .softexternal)
    }

    func testClientListsEachFamilyAndTagsItsRows() throws {
        let transport = ScriptedTransport()
        let client = BillmgrClient(
            credentials: Credentials(url: "https://b.example/billmgr", user: "u", password: "p"), transport: transport)
        transport.enqueue(
            .body(BillmgrJSON.licensePage([BillmgrJSON.licenseRow(id: 1, ip: "192.0.2.1")], total: 1, pageSize: 5000)),
            for: "soft")
        transport.enqueue(
            .body(BillmgrJSON.licensePage([BillmgrJSON.licenseRow(id: 2, ip: "192.0.2.2")], total: 1, pageSize: 5000)),
            for: "softexternal")
        let licenses = try client.listLicenses(lines: [.soft, .softexternal])
        XCTAssertEqual(licenses.map(\.id), [1, 2])
        XCTAssertEqual(licenses.map(\.line), [.soft, .softexternal])
        XCTAssertEqual(transport.requests.map(\.function), ["soft", "softexternal"])
    }

    func testMigrationGivesExistingLicensesTheSoftFamily() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("licmgr.db")
        let old = try SQLiteDatabase(path: path)
        try old.execute(Schema.migrations[0])
        try old.execute("PRAGMA user_version = 1")
        try old.execute(
            "INSERT INTO licenses (id, name, ip, pricelist, status, seen_at) VALUES (5, 'x', '192.0.2.5', 55227, 2, 't')"
        )
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try store.license(5)?.line, .soft)
        XCTAssertEqual(try store.db.query("PRAGMA user_version").first?.int("user_version"), Schema.version)
    }
}
