import XCTest

@testable import LicmgrCore

/// How a batch is cut into waves: in order, and never two steps for one license or one
/// service in the same wave, so that parallel calls cannot race on the same thing.
final class BatchWaveTests: XCTestCase {
    private func planned(service: Int?, license: Int?, _ key: String) -> LicenseEngine.PlannedStep {
        LicenseEngine.PlannedStep(
            step: LicenseEngine.Step(
                kind: .renew, point: .renew, service: service, addon: nil, license: license, params: [:],
                summary: key, key: key, price: nil),
            call: .prolong(license: license ?? 0, period: 1))
    }

    private func keys(_ waves: [[LicenseEngine.PlannedStep]]) -> [[String]] {
        waves.map { $0.map(\.step.key) }
    }

    func testIndependentStepsShareOneWave() {
        let steps = (1...5).map { planned(service: $0, license: 100 + $0, "s\($0)") }
        XCTAssertEqual(keys(LicenseEngine.waves(steps)), [["s1", "s2", "s3", "s4", "s5"]])
    }

    func testTwoStepsForOneServiceOrOneLicenseGoInLaterWaves() {
        let steps = [
            planned(service: 1, license: nil, "order 1a"),
            planned(service: 1, license: nil, "order 1b"),
            planned(service: 2, license: 7, "edit 7"),
            planned(service: 3, license: 7, "suspend 7"),
            planned(service: 4, license: 8, "renew 8"),
            planned(service: 1, license: nil, "order 1c"),
        ]
        XCTAssertEqual(
            keys(LicenseEngine.waves(steps)),
            [["order 1a", "edit 7", "renew 8"], ["order 1b", "suspend 7"], ["order 1c"]])
    }

    func testAStepWaitsBehindBothOfItsTargets() {
        let steps = [
            planned(service: 1, license: nil, "a"),
            planned(service: 1, license: nil, "b"),
            planned(service: 2, license: 9, "c"),
            planned(service: 1, license: 9, "d"),
        ]
        // d touches service 1 (busy in waves 0 and 1) and license 9 (wave 0): it goes third.
        XCTAssertEqual(keys(LicenseEngine.waves(steps)), [["a", "c"], ["b"], ["d"]])
    }
}
