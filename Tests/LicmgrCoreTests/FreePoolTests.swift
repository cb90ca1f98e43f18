import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The vendor's reuse rule, against a fixed day.
final class FreePoolTests: XCTestCase {
    private let today = Day(year: 2025, month: 6, day: 15)!

    private func parked(
        status: License.Status = .suspended, expires: Day? = Day(year: 2025, month: 7, day: 1),
        ipChanged: Day? = Day(year: 2025, month: 4, day: 1), keyChanged: Day? = Day(year: 2025, month: 4, day: 1)
    ) -> License {
        License(
            id: 1, name: "free.lic", ip: "0.0.0.0", pricelist: 55227, period: 1, status: status, expires: expires,
            ipChanged: ipChanged, keyChanged: keyChanged)
    }

    func testParkedRestedLicenseIsAllowed() {
        XCTAssertTrue(FreePool.allows(parked(), today: today))
        XCTAssertTrue(FreePool.allows(parked(status: .active), today: today))
    }

    func testOnlyParkedNameAndIPQualify() {
        var renamed = parked()
        renamed.name = "Item #7 addon vps7"
        XCTAssertFalse(FreePool.allows(renamed, today: today))
        var placed = parked()
        placed.ip = "192.0.2.7"
        XCTAssertFalse(FreePool.allows(placed, today: today))
    }

    func testDeletedProcessingOrGoneLicensesAreNotAllowed() {
        XCTAssertFalse(FreePool.allows(parked(status: .deleted), today: today))
        XCTAssertFalse(FreePool.allows(parked(status: .processing), today: today))
        var gone = parked()
        gone.gone = true
        XCTAssertFalse(FreePool.allows(gone, today: today))
    }

    func testExpiredOrUndatedExpiryIsNotAllowed() {
        XCTAssertFalse(FreePool.allows(parked(expires: today), today: today), "expiring today has expired for reuse")
        XCTAssertFalse(FreePool.allows(parked(expires: Day(year: 2025, month: 6, day: 1)), today: today))
        XCTAssertFalse(FreePool.allows(parked(expires: nil), today: today))
        XCTAssertTrue(FreePool.allows(parked(expires: today.adding(days: 1)), today: today))
    }

    func testIPOrKeyChangedWithinAMonthIsNotAllowed() {
        let monthAgo = today.adding(months: -1)
        XCTAssertFalse(
            FreePool.allows(parked(ipChanged: monthAgo), today: today), "exactly a month is not more than a month")
        XCTAssertFalse(FreePool.allows(parked(keyChanged: today.adding(days: -3)), today: today))
        XCTAssertTrue(FreePool.allows(parked(ipChanged: monthAgo.adding(days: -1)), today: today))
    }

    func testUnknownChangeDatesDoNotBlock() {
        XCTAssertTrue(FreePool.allows(parked(ipChanged: nil, keyChanged: nil), today: today))
    }

    func testReusabilitySaysFromWhenTheMonthOfRestEnds() {
        let monthAgo = today.adding(months: -1)
        let later = today.adding(months: 3)
        XCTAssertEqual(FreePool.reusability(parked(), today: today), .now)
        XCTAssertEqual(FreePool.reusability(parked(ipChanged: nil, keyChanged: nil), today: today), .now)
        XCTAssertEqual(FreePool.reusability(parked(ipChanged: monthAgo), today: today), .from(today.adding(days: 1)))
        let keyed = today.adding(days: -3)
        let recent = parked(expires: later, ipChanged: monthAgo, keyChanged: keyed)
        XCTAssertEqual(
            FreePool.reusability(recent, today: today), .from(keyed.adding(months: 1).adding(days: 1)),
            "the later change counts")
        // The date it names is the first the rule allows.
        guard case .from(let day) = FreePool.reusability(recent, today: today) else { return XCTFail("not dated") }
        XCTAssertFalse(FreePool.allows(recent, today: day.adding(days: -1)))
        XCTAssertTrue(FreePool.allows(recent, today: day))
    }

    func testReusabilityNamesWhatNoDayCures() {
        XCTAssertEqual(
            FreePool.reusability(parked(expires: today), today: today), .never("it expired on \(today)"))
        let soon = today.adding(days: 5)
        XCTAssertEqual(
            FreePool.reusability(parked(expires: soon, keyChanged: today.adding(days: -1)), today: today),
            .never("it expires on \(soon), before its month of rest ends"))
        XCTAssertEqual(FreePool.reusability(parked(status: .processing), today: today), .never("it is processing"))
    }

    func testAChangeTodayRestartsTheMonth() {
        XCTAssertEqual(
            FreePool.reusabilityAfterChange(of: parked(expires: today.adding(months: 3)), today: today),
            .from(today.adding(months: 1).adding(days: 1)))
    }
}
