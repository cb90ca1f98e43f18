import XCTest

@testable import LicmgrCore

/// The compact forms a run holds its state in at 100,000 licenses: they answer as the plain
/// dictionaries they replace did.
final class CompactStateTests: XCTestCase {
    private func license(_ id: Int, name: String = "x") -> License {
        License(id: id, name: name, ip: "10.0.0.1", pricelist: 55227, status: .active)
    }

    func testKnownLicensesFindEachByIdAndKeepTheirOrder() {
        var known = KnownLicenses(capacity: 3)
        for id in [3, 1, 2] { known.add(license(id)) }
        known.add(license(1, name: "renamed"))
        XCTAssertEqual(known.count, 3)
        XCTAssertEqual(known.keys, [3, 1, 2])
        XCTAssertEqual(known[1]?.name, "renamed")
        XCTAssertEqual(known[2]?.id, 2)
        XCTAssertNil(known[4])
        XCTAssertEqual(KnownLicenses([license(5), license(6)]).values.map(\.id), [5, 6])
    }

    func testAttachmentsAnswerByServiceAndAddon() {
        var attached = Attachments()
        attached.add(license: 100, service: 1, addon: "panel")
        attached.add(license: 101, service: 1, addon: "os")
        attached.add(license: 102, service: 1, addon: "panel")
        XCTAssertEqual(attached.license(of: 1, addon: "panel"), 102)
        XCTAssertEqual(attached.license(of: 1, addon: "os"), 101)
        XCTAssertNil(attached.license(of: 2, addon: "panel"))
        XCTAssertTrue(attached.serves(1))
        XCTAssertFalse(attached.serves(2))
    }

    func testAddonSetsGiveBackAnEqualSetReadBefore() {
        var sets = AddonSets()
        let first = sets.shared(["panel": "Lite"])
        XCTAssertEqual(sets.shared(["panel": "Lite"]), first)
        XCTAssertEqual(sets.shared(["panel": "Pro"]), ["panel": "Pro"])
        XCTAssertEqual(sets.shared([:]), [:])
        for value in 0..<(AddonSets.most + 10) { _ = sets.shared(["panel": "\(value)"]) }
        XCTAssertEqual(sets.shared(["panel": "\(AddonSets.most + 5)"]), ["panel": "\(AddonSets.most + 5)"])
    }
}
