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
        attached.add(license: 100, service: 3, addon: "panel")
        attached.add(license: 101, service: 1, addon: "os")
        attached.add(license: 102, service: 3, addon: "panel")
        attached.add(license: 103, service: 1, addon: "panel")
        attached.add(license: 104, service: 3, addon: "os")
        attached.finish()
        XCTAssertEqual(attached.license(of: 3, addon: "panel"), 102)
        XCTAssertEqual(attached.license(of: 3, addon: "os"), 104)
        XCTAssertEqual(attached.license(of: 1, addon: "os"), 101)
        XCTAssertEqual(attached.license(of: 1, addon: "panel"), 103)
        XCTAssertNil(attached.license(of: 2, addon: "panel"))
        XCTAssertNil(attached.license(of: 4, addon: "panel"))
        XCTAssertTrue(attached.serves(1))
        XCTAssertTrue(attached.serves(3))
        XCTAssertFalse(attached.serves(0))
        XCTAssertFalse(attached.serves(2))
        XCTAssertFalse(attached.serves(4))
        XCTAssertFalse(Attachments().serves(1))
    }

    func testPositionsByIPComeInListingOrderAndOnlyLive() {
        var gone = license(4)
        gone.gone = true
        var other = license(2)
        other.ip = "10.0.0.2"
        let listing = [license(1), other, license(3), gone, license(5)]
        let positions = PositionsByIP(listing)
        XCTAssertEqual(Array(positions["10.0.0.1"]), [0, 2, 4])
        XCTAssertEqual(Array(positions["10.0.0.2"]), [1])
        XCTAssertEqual(Array(positions["10.0.0.3"]), [])
        XCTAssertEqual(Array(PositionsByIP()["10.0.0.1"]), [])
    }

    func testPositionsByKeyComeInOrderUnderTheirKeysLeavingOutThoseWithout() {
        let keys: [Int?] = [7, nil, 3, 7, 7, 3]
        let positions = PositionsByKey(count: keys.count) { keys[$0] }
        XCTAssertEqual(Array(positions[7]), [0, 3, 4])
        XCTAssertEqual(Array(positions[3]), [2, 5])
        XCTAssertEqual(Array(positions[1]), [])
        XCTAssertEqual(Array(positions[9]), [])
        let sorted = PositionsByKey(count: 4) { [1, 1, 2, 5][$0] }
        XCTAssertEqual(Array(sorted[1]), [0, 1])
        XCTAssertEqual(Array(sorted[5]), [3])
    }

    /// Looked up in the order added or not, a license is found by its id.
    func testKnownLicensesAreFoundInAnyOrder() {
        let known = KnownLicenses([license(3), license(5), license(9)])
        XCTAssertEqual([3, 5, 9, 5, 3, 4, 9, 9].map { known[$0]?.id }, [3, 5, 9, 5, 3, nil, 9, 9])
        XCTAssertEqual(known.positions(of: [license(9), license(1), license(3)]), [2, -1, 0])
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
