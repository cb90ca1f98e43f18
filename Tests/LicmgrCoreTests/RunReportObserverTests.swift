import XCTest

@testable import LicmgrCore

/// What an observer of a run hears, and when: each item as it is added, except those a
/// rollback may yet excuse, which it hears only once their fate is known, if at all.
final class RunReportObserverTests: XCTestCase {
    private final class Recorder: RunObserver, @unchecked Sendable {
        var heard: [String] = []

        func finished(_ item: RunReport.Item) { heard.append("\(item.action.rawValue): \(item.detail)") }
        func warned(_ text: String) { heard.append("warning: \(text)") }
        func noted(_ text: String) { heard.append("note: \(text)") }
        func progress(_ progress: RunProgress) {}
    }

    func testItemsWarningsAndNotesAreHeardAsTheyAreAdded() {
        let recorder = Recorder()
        var report = RunReport(observer: recorder)
        report.add(.ordered, licenseID: 1, "ordered 1")
        XCTAssertEqual(recorder.heard, ["ordered: ordered 1"])
        report.warn("w")
        report.note("n")
        report.refuse(serviceID: 7, "service 7 not served", InputError.unknownService(7))
        XCTAssertEqual(recorder.heard.count, 4)
        XCTAssertEqual(recorder.heard.last?.hasPrefix("failed: service 7 not served"), true)
    }

    func testAnExcusedFailureIsHeardOnlyAsAWarning() {
        let recorder = Recorder()
        var report = RunReport(observer: recorder)
        report.add(.ordered, licenseID: 1, "ordered 1")
        let (_, first) = report.holdingBack { $0.add(.failed, licenseID: 2, "reusing 2 failed") }
        _ = report.holdingBack { $0.add(.failed, licenseID: 3, "reusing 3 failed") }
        report.add(.ordered, licenseID: 4, "ordered 4")
        XCTAssertEqual(recorder.heard, ["ordered: ordered 1", "ordered: ordered 4"], "held items wait")
        report.excuse(first, "a new license was bought instead")
        XCTAssertEqual(
            recorder.heard,
            [
                "ordered: ordered 1", "ordered: ordered 4",
                "warning: reusing 2 failed; a new license was bought instead", "failed: reusing 3 failed",
            ])
        XCTAssertEqual(report.items.map(\.licenseID), [1, 3, 4])
        XCTAssertEqual(report.exitStatus, .partialFailure)
    }

    func testReleasingPartOfTheHeldItemsKeepsTheRest() {
        let recorder = Recorder()
        var report = RunReport(observer: recorder)
        _ = report.holdingBack { $0.add(.reused, licenseID: 2, "reused 2") }
        let (_, second) = report.holdingBack { $0.add(.failed, licenseID: 3, "reusing 3 failed") }
        report.release(allBut: Set(second))
        XCTAssertEqual(recorder.heard, ["reused: reused 2"])
        report.release()
        XCTAssertEqual(recorder.heard, ["reused: reused 2", "failed: reusing 3 failed"])
        report.release()
        XCTAssertEqual(recorder.heard.count, 2, "an item is heard once")
    }

    func testTheObserverIsNoPartOfEquality() {
        var heard = RunReport(observer: Recorder())
        var unheard = RunReport()
        heard.add(.ordered, licenseID: 1, "ordered 1")
        unheard.add(.ordered, licenseID: 1, "ordered 1")
        XCTAssertEqual(heard, unheard)
    }

    /// A run's `spent` adds what its steps were journaled at; a price not known makes it unknown.
    func testARunSpendsWhatItsStepsWereJournaledAt() {
        var report = RunReport()
        report.currency = "EUR"
        report.add(.ordered, serviceID: 7, "ordered", charge: .init(amount: 100_000, currency: "EUR"))
        report.add(.renewed, serviceID: 8, "renewed", charge: .init(amount: 12_345, currency: "EUR"))
        report.add(.attached, serviceID: 9, "attached")
        XCTAssertEqual(report.spent, 112_345)
        report.add(
            .settled, serviceID: 10, "order in doubt made a license", charge: .init(amount: nil, currency: "EUR"))
        XCTAssertNil(report.spent, "one amount is not known")
    }
}
