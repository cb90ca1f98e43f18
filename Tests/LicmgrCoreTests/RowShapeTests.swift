import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The shapes BILLmanager 6 gives rows, views and catalogue entries, read alongside the old ones.
final class RowShapeTests: XCTestCase {
    private func row(_ fields: [String: Any]) throws -> License {
        try BillmgrClient.license(
            from: try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "soft"), function: "soft")
    }

    func testRowNamingItsTariffKeepsTheNameAndNoId() throws {
        let license = try row(["id": "5", "pricelist": "ISPmanager 6 Lite", "status": "2"])
        XCTAssertEqual(license.pricelist, 0)
        XCTAssertEqual(license.tariffName, "ISPmanager 6 Lite")
        let numbered = try row(["id": "5", "pricelist": "55227", "status": "2"])
        XCTAssertEqual(numbered.pricelist, 55227, "a number is the id, as before")
        XCTAssertNil(numbered.tariffName)
    }

    func testViewSelectGivesTheIdAndItsOptionTheName() throws {
        let options: [[String: Any]] = [
            ["$key": "55382", "$": "BILLmanager 6"], ["$key": "55384", "$": "BILLmanager 6"],
            ["$key": "55227", "$": "ISPmanager 6 Lite"],
        ]
        let slists: [[String: Any]] = [
            ["$name": "autoprolong", "val": [["$key": "null", "$": "off"]]], ["$name": "pricelist", "val": options],
        ]
        let lite = try row(["id": "5", "pricelist": "55227", "slist": slists])
        XCTAssertEqual(lite.pricelist, 55227)
        XCTAssertEqual(lite.tariffName, "ISPmanager 6 Lite")
        XCTAssertTrue(lite.tariffNameIsUnique)
        let shared = try row(["id": "6", "pricelist": "55384", "slist": slists])
        XCTAssertEqual(shared.tariffName, "BILLmanager 6")
        XCTAssertFalse(shared.tariffNameIsUnique, "two options bear the name")
        let bare = try row(["id": "7", "pricelist": "55227"])
        XCTAssertFalse(bare.tariffNameIsUnique, "a form without options proves nothing")
        let alone = try row([
            "id": "8", "pricelist": "55227",
            "slist": ["$name": "pricelist", "val": ["$key": "55227", "$": "ISPmanager 6 Lite"]],
        ])
        XCTAssertEqual(alone.tariffName, "ISPmanager 6 Lite", "one option stands as an object")
        XCTAssertFalse(alone.tariffNameIsUnique, "nor does a select of the license's own tariff alone")
    }

    func testBM6RowCarriesTheChangeDates() throws {
        let license = try row([
            "id": "5", "pricelist": "55227", "real_ipchange": "2024-02-03", "real_keychange": "2024-03-04 10:11:12",
        ])
        XCTAssertEqual(license.ipChanged, Day(year: 2024, month: 2, day: 3))
        XCTAssertEqual(license.keyChanged, Day(year: 2024, month: 3, day: 4))
        XCTAssertNil(license.remoteID)
    }

    func testCatalogueItemTypeByNameOrByIdWithItsInfo() throws {
        func type(_ fields: [String: Any]) throws -> String {
            BillmgrClient.itemType(
                of: try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "pricelist.export"))
        }
        XCTAssertEqual(try type(["itemtype": "softexternal"]), "softexternal")
        XCTAssertEqual(
            try type(["itemtype": "74", "itemtype_info": ["intname": ["$": "softexternal"]]]), "softexternal")
        XCTAssertEqual(try type(["itemtype": "74", "itemtype_info": ["$intname": "platform"]]), "platform")
        XCTAssertEqual(try type(["itemtype": "74"]), "74", "an id without a name stays an id")
        XCTAssertNil(ProductLine(itemType: "74"))
        XCTAssertNil(ProductLine(itemType: "vds"))
        XCTAssertNil(ProductLine(itemType: ""))
        XCTAssertEqual(ProductLine(itemType: "SoftExternal"), .softexternal)
    }

    func testTariffOfAnUnknownFamilyIsNeverTakenForSoft() {
        let vps = Tariff(id: 2187, name: "VPS", active: true, itemType: "vds", currency: "EUR", periods: [])
        let numbered = Tariff(id: 9203, name: "CloudLinux", active: true, itemType: "74", currency: "EUR", periods: [])
        let resolver = Resolver(
            config: Config(path: "/c"), catalogue: Catalogue(tariffs: [2187: vps, 9203: numbered]))
        XCTAssertNil(resolver.line(forTariff: 2187))
        XCTAssertNil(resolver.line(forTariff: 9203), "the catalogue's word overrides the known id")
        XCTAssertThrowsError(try resolver.line(forTariff: 2187, addon: "vps", value: "2187")) { error in
            XCTAssertTrue("\(error)".contains("addon vps=2187"), "\(error)")
            XCTAssertTrue("\(error)".contains("item type is 'vds'"), "\(error)")
        }
        XCTAssertTrue(resolver.whyNotSold(tariff: 9203)?.contains("import-tariffs") == true)
        let lines = TariffSuggestions.lines(for: [vps])
        XCTAssertFalse(lines.contains { $0.hasPrefix("Price") }, "\(lines)")
    }
}
