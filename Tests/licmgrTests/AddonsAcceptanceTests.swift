import LicmgrCore
import LicmgrTestSupport
import XCTest

/// ISPmanager 6 Business counts nodes: the remote refuses its order without `addon_55236`.
final class AddonsAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "addons"] }

    func testBusinessIsOrderedOnceWithItsNode() throws {
        try addService(7, ip: "10.0.0.7", addon: "panel=Business")
        let run = try licmgr("order", "7", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 1, run.stdout)
        let orders = try sim.state().calls("soft.order.param")
        XCTAssertEqual(orders.map(\.result), ["ok"])
        XCTAssertEqual(orders.first?.params["addon_55236"], "1")
        XCTAssertEqual(orders.first?.params["pricelist"], "55230")
    }

    /// After import the catalogue's minimum is stored; a service's own count is sent instead,
    /// and a count the tariff does not take is refused before anything is sent.
    func testImportedMinimumAndAServicesOwnCount() throws {
        try licmgr("import-tariffs")
        let business = try XCTUnwrap(try work.store().catalogue().tariffs[55230])
        XCTAssertEqual(business.addons, [Tariff.Addon(id: 55236, name: "Nodes", minimum: 1, maximum: 100)])
        try addService(8, ip: "10.0.0.8", addon: "panel=Business", extra: ["--addon", "addon_55236=3"])
        try licmgr("order", "8")
        XCTAssertEqual(try sim.state().calls("soft.order.param").map { $0.params["addon_55236"] }, ["3"])
        try addService(9, ip: "10.0.0.9", addon: "panel=Business", extra: ["--addon", "addon_55236=0"])
        let refused = try licmgr("order", "9", expect: 65)
        XCTAssertTrue(refused.stderr.contains("addon_55236=0"), refused.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }
}
