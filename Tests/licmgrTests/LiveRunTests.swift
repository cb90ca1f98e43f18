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

    // MARK: - The progress line

    private let batch = RunProgress(
        .sending(.order), done: 12, total: 300, current: "order for service 107 and 3 more in flight")

    func testAProgressLineThatFitsIsWhole() {
        XCTAssertEqual(
            LiveRun.progressLine(batch, left: 130, width: 100),
            "ordering 12/300: order for service 107 and 3 more in flight; about 3 min left")
        XCTAssertEqual(
            LiveRun.progressLine(
                RunProgress(.readingAccount, done: 5000, total: 0, current: "soft, page 1"), left: nil, width: 80),
            "reading the account 5000: soft, page 1")
    }

    func testALongSummaryGivesUpItsMiddleThenTheTimeLeftGoes() {
        let cut = LiveRun.progressLine(batch, left: 130, width: 60)
        XCTAssertEqual(cut, "ordering 12/300: order for se…e in flight; about 3 min left")
        XCTAssertEqual(cut.count, 59)
        let narrower = LiveRun.progressLine(batch, left: 130, width: 40)
        XCTAssertEqual(narrower, "ordering 12/300: order for s… in flight")
        XCTAssertEqual(LiveRun.progressLine(batch, left: nil, width: 12), "ordering 12")
        XCTAssertEqual(LiveRun.progressLine(batch, left: nil, width: 1), "")
    }

    func testControlCharactersNeverReachTheTerminal() {
        let odd = RunProgress(.readingBack, done: 1, total: 2, current: "read back \u{1B}[2J\nlicense")
        XCTAssertEqual(
            LiveRun.progressLine(odd, left: nil, width: 80), "reading back licenses 1/2: read back ?[2J?license")
    }

    func testTheTimeLeftWaitsForEnoughAnswers() {
        XCTAssertNil(LiveRun.timeLeft(done: 2, total: 100, elapsed: 10))
        XCTAssertNil(LiveRun.timeLeft(done: 10, total: 100, elapsed: 0.5))
        XCTAssertNil(LiveRun.timeLeft(done: 100, total: 100, elapsed: 10))
        XCTAssertNil(LiveRun.timeLeft(done: 10, total: 0, elapsed: 10), "no total, no guess")
        XCTAssertEqual(LiveRun.timeLeft(done: 10, total: 100, elapsed: 10), 90)
        XCTAssertEqual(LiveRun.duration(45), "45 s")
        XCTAssertEqual(LiveRun.duration(61), "2 min")
        XCTAssertEqual(LiveRun.duration(3600), "1 h")
        XCTAssertEqual(LiveRun.duration(4830), "1 h 21 min")
    }

    func testABatchIsNamedByWhatItSends() {
        XCTAssertEqual(RunProgress.Phase.batch(of: [.renew, .renew]).description, "renewing")
        XCTAssertEqual(RunProgress.Phase.batch(of: [.edit, .suspend]).description, "changing licenses")
        XCTAssertEqual(RunProgress.Phase.readingBack.description, "reading back licenses")
    }
}
