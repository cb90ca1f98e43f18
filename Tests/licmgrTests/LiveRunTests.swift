import LicmgrCore
import XCTest

@testable import licmgr

/// The words of a summary line: counts grouped as a person reads them, and a hint for each
/// kind that is summarised, none for the kinds that never are.
final class LiveRunTests: XCTestCase {
    func testCountsAreGroupedByThousands() {
        XCTAssertEqual(LiveRun.grouped(5), "5")
        XCTAssertEqual(LiveRun.grouped(999), "999")
        XCTAssertEqual(LiveRun.grouped(1219), "1,219")
        XCTAssertEqual(LiveRun.grouped(100_000), "100,000")
        XCTAssertEqual(LiveRun.grouped(1_234_567), "1,234,567")
    }

    func testMoneyStepsAndFailuresAreNeverSummarised() {
        for action in [RunReport.Action.ordered, .renewed, .reused, .retariffed, .failed, .held, .inDoubt, .planned] {
            XCTAssertNil(LiveRun.summary(of: action), "\(action)")
        }
        XCTAssertEqual(LiveRun.summary(of: .discovered)?.what, "licenses on the account unknown here")
    }
}
