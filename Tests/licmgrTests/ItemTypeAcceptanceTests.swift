import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A catalogue whose item types are ids, each named under `itemtype_info`.
final class ItemTypeAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "itemtype-ids"] }

    func testThirdPartyTariffOfAnImportedCatalogueIsOrderedListedAndRenewedThroughItsFamily() throws {
        try licmgr("import-tariffs")
        XCTAssertEqual(try work.store().catalogue().tariffs[9203]?.itemType, "softexternal")
        try addService(7, ip: "10.0.0.7", addon: "cloudlinux=9203")
        try licmgr("order", "7")
        var state = try sim.state()
        XCTAssertEqual(state.calls("softexternal.order.param").count, 1)
        XCTAssertTrue(state.calls("soft.order.param").isEmpty, "not ordered as an ISPsystem license")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        XCTAssertEqual(try work.store().license(id)?.line, .softexternal)

        try licmgr("checkevent")
        XCTAssertEqual(try licmgr("list", "--json").jsonArray.map { $0["id"] as? Int }, [id], "listed, not gone")
        XCTAssertEqual(try work.store().license(id)?.gone, false)
        state = try sim.state()
        XCTAssertEqual(state.calls("softexternal.order.param").count, 1, "found in its own list, not bought again")
        XCTAssertTrue(state.calls("softexternal").count >= 2, "its family is listed on every run")
    }

    func testRenewalOfAThirdPartyLicenseFoundOnTheAccount() throws {
        try licmgr("import-tariffs")
        let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
        let id = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "9203",
                    "expiredate": today.adding(days: 1).description,
                ]
            ]).first)
        try addService(7, ip: "10.0.0.7", addon: "cloudlinux=9203")
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), [id])
        XCTAssertTrue(state.calls("softexternal.order.param").isEmpty)
        XCTAssertEqual(state.calls("service.prolong").map { $0.params["elid"] }, [String(id)])
        XCTAssertEqual(
            state.licenses.first { $0["id"] == String(id) }?["expiredate"],
            today.adding(days: 1).adding(months: 1).description)
    }

    func testTariffOfAnUnknownFamilyIsStoredButNeverOrdered() throws {
        let printed = try licmgr("import-tariffs").stdout
        XCTAssertTrue(printed.contains("2187  VPS Start"), printed)
        XCTAssertTrue(printed.contains("item type 'vds'"), printed)
        XCTAssertFalse(printed.contains("Price VPSStart"), "no Price line for what licmgr cannot order: \(printed)")
        XCTAssertEqual(try work.store().catalogue().tariffs[2187]?.itemType, "vds")

        let refused = try licmgr(
            "service", "add", "7", "--name", "x", "--ip", "10.0.0.7", "--addon", "vps=2187", expect: 65)
        XCTAssertTrue(refused.stderr.contains("addon vps=2187"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("no license licmgr can order"), refused.stderr)
        XCTAssertNil(try work.store().service(7), "nothing recorded")

        try work.writeConfig(url: sim.url, extra: "Price vps 2187")
        let check = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(check.stderr.contains("Price vps 2187"), check.stderr)
        XCTAssertTrue(try sim.state().calls.allSatisfy { !$0.function.hasSuffix("order.param") })
    }
}
