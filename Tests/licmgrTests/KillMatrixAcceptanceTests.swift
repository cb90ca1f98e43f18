import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// The process killed at every remote step of every workflow, just before the step is sent and
/// just after the remote applied it, and the answer to each step lost after the remote applied
/// it: the next runs must leave one license per need, each paid once, with the right name and
/// key, and nothing half done. Generated from `StepPoint`, so a step without a scenario that
/// reaches it fails `testEveryStepHasAScenario`.
final class KillMatrixAcceptanceTests: AcceptanceTestCase {
    /// The calls that spend money; each scenario says how many of them it makes.
    static let paidFunctions = ["soft.order.param", "service.prolong", "service.changepricelist"]

    struct Scenario {
        var name: String
        var config = ""
        /// The steps the command passes through, in order.
        var points: [StepPoint]
        var setUp: (KillMatrixAcceptanceTests) throws -> Void
        var command: [String]
        /// Paid calls the command makes, by function.
        var paid: [String: Int] = [:]
        var verify: (KillMatrixAcceptanceTests) throws -> Void
    }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
    static let reuse = "Option ReUseLicense\nReusePrice 12"

    /// A free license parked long enough ago for the vendor's pool rule, of `tariff`.
    func seedFreeLicense(tariff: String = "55227") throws {
        let longAgo = today.adding(months: -2).description
        try sim.seed([
            [
                "licname": License.parkedName, "ip": License.parkedIP, "pricelist": tariff, "status": "3",
                "lickey": "0ld0wner", "ip_change_date": longAgo, "lickey_change_date": longAgo,
                "expiredate": today.adding(months: 6).description,
            ]
        ])
    }

    /// Service 7 on 10.0.0.7 with a license bought for it.
    func servedSeven(_ extra: [String] = []) throws {
        try addService(7, ip: "10.0.0.7", extra: extra)
        try licmgr("order", "7")
    }

    /// The remote's live licenses.
    func live() throws -> [[String: String]] {
        try sim.state().licenses.filter { $0["status"] != "4" }
    }

    /// The one live license on the remote, checked against what licmgr recorded of it.
    func onlyLicense(file: StaticString = #filePath, line: UInt = #line) throws -> [String: String] {
        let licenses = try live()
        XCTAssertEqual(licenses.count, 1, "\(licenses)", file: file, line: line)
        return licenses.first ?? [:]
    }

    func assertServes(
        _ remote: [String: String], service: Int = 7, ip: String = "10.0.0.7", file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        XCTAssertEqual(remote["licname"], "Item #\(service) addon vps\(service)", file: file, line: line)
        XCTAssertEqual(remote["ip"], ip, file: file, line: line)
        XCTAssertEqual(remote["status"], "2", file: file, line: line)
        let known = try work.store().licenses(serviceID: service).filter(\.isLive)
        XCTAssertEqual(known.map { String($0.id) }, [remote["id"] ?? ""], file: file, line: line)
    }

    var scenarios: [Scenario] {
        [
            Scenario(
                name: "order", points: [.order], setUp: { try $0.addService(7, ip: "10.0.0.7") },
                command: ["order", "7"], paid: ["soft.order.param": 1],
                verify: { try $0.assertServes($0.onlyLicense()) }),
            Scenario(
                name: "renew", points: [.renew],
                setUp: { test in
                    try test.addService(7, ip: "10.0.0.7")
                    try test.sim.seed([
                        [
                            "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227",
                            "expiredate": test.today.description,
                        ]
                    ])
                    try test.licmgr("fixchilds")
                },
                command: ["renew", "--due"], paid: ["service.prolong": 1],
                verify: { test in
                    let license = try test.onlyLicense()
                    XCTAssertEqual(license["expiredate"], test.today.adding(months: 1).description)
                }),
            Scenario(
                name: "reuse", config: Self.reuse, points: [.reuseRename, .reuseNewKey, .resumeResume],
                setUp: { test in
                    try test.seedFreeLicense()
                    try test.addService(7, ip: "10.0.0.7", extra: ["--package", "12"])
                },
                command: ["order", "7"],
                verify: { test in
                    let license = try test.onlyLicense()
                    try test.assertServes(license)
                    XCTAssertNotEqual(license["lickey"], "0ld0wner", "a reused license ends with a new key")
                }),
            Scenario(
                name: "park", config: Self.reuse, points: [.parkSuspend, .parkRename],
                setUp: { try $0.servedSeven(["--package", "12"]) },
                command: ["service", "close", "7", "--now"],
                verify: { test in
                    let license = try test.onlyLicense()
                    XCTAssertEqual(license["licname"], License.parkedName)
                    XCTAssertEqual(license["ip"], License.parkedIP)
                    XCTAssertEqual(license["status"], "3")
                    XCTAssertEqual(try test.work.store().licenses(serviceID: 7).filter(\.isLive).count, 0)
                }),
            Scenario(
                name: "park an unused license", points: [.parkSuspend, .parkRename],
                setUp: { test in
                    try test.sim.seed([["licname": "stray", "ip": "10.9.9.9", "pricelist": "55227"]])
                    try test.licmgr("sync")
                },
                command: ["park", "100001"],
                verify: { test in
                    let license = try test.onlyLicense()
                    XCTAssertEqual(license["licname"], License.parkedName)
                    XCTAssertEqual(license["ip"], License.parkedIP)
                    XCTAssertEqual(license["status"], "3")
                }),
            Scenario(
                name: "upgrade with a free license", config: "Option UseExistingOnUpgrade",
                points: [.reuseRename, .reuseNewKey, .resumeResume, .delete],
                setUp: { test in
                    try test.servedSeven()
                    try test.seedFreeLicense(tariff: "55228")
                },
                command: ["service", "set", "7", "--addon", "panel=Pro", "--now"],
                verify: { test in
                    let license = try test.onlyLicense()
                    try test.assertServes(license)
                    XCTAssertEqual(license["pricelist"], "55228")
                    XCTAssertNotEqual(license["lickey"], "0ld0wner")
                }),
            Scenario(
                name: "tariff change", points: [.retariff], setUp: { try $0.servedSeven() },
                command: ["service", "set", "7", "--addon", "panel=Pro", "--now"],
                paid: ["service.changepricelist": 1],
                verify: { test in
                    let license = try test.onlyLicense()
                    try test.assertServes(license)
                    XCTAssertEqual(license["pricelist"], "55228")
                }),
            Scenario(
                name: "IP change", points: [.followMove], setUp: { try $0.servedSeven() },
                command: ["service", "set", "7", "--ip", "10.0.0.8", "--now"],
                verify: { try $0.assertServes($0.onlyLicense(), ip: "10.0.0.8") }),
            Scenario(
                name: "resume after lapse", points: [.resumeRenew],
                setUp: { test in
                    try test.addService(7, ip: "10.0.0.7", extra: ["--status", "suspended"])
                    try test.sim.seed([
                        [
                            "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "status": "3",
                            "expiredate": test.today.adding(days: -3).description,
                        ]
                    ])
                    try test.licmgr("fixchilds")
                },
                command: ["service", "resume", "7", "--now"], paid: ["service.prolong": 1],
                verify: { test in
                    let license = try test.onlyLicense()
                    try test.assertServes(license)
                    XCTAssertEqual(license["expiredate"], test.today.adding(months: 1).description)
                }),
            Scenario(
                name: "delete", points: [.delete], setUp: { try $0.servedSeven() },
                command: ["service", "close", "7", "--now"],
                verify: { XCTAssertEqual(try $0.live().count, 0) }),
            Scenario(
                name: "suspend", points: [.followSuspend], setUp: { try $0.servedSeven() },
                command: ["service", "suspend", "7", "--now"],
                verify: { XCTAssertEqual(try $0.onlyLicense()["status"], "3") }),
            Scenario(
                name: "new key", points: [.newKey], setUp: { try $0.servedSeven() },
                command: ["newkey", "100001"],
                verify: { _ = try $0.onlyLicense() }),
        ]
    }

    func testEveryStepHasAScenario() {
        let covered = Set(scenarios.flatMap(\.points))
        for point in StepPoint.allCases {
            XCTAssertTrue(covered.contains(point), "no kill scenario reaches step \(point.rawValue)")
        }
    }

    func testKillJustBeforeEachStepIsSent() throws {
        try runMatrix(phase: "before")
    }

    func testKillJustAfterEachStepIsApplied() throws {
        try runMatrix(phase: "after")
    }

    /// The run is not killed: it goes on without the answer, as after a dropped connection,
    /// and ends in doubt (exit 75).
    func testAnswerLostAfterEachStepIsApplied() throws {
        try runMatrix(phase: "drop")
    }

    private func runMatrix(phase: String) throws {
        for scenario in scenarios {
            for point in scenario.points {
                try run(scenario, cutAt: "\(point.rawValue):\(phase)")
            }
        }
    }

    private func run(_ scenario: Scenario, cutAt fault: String) throws {
        let context = "\(scenario.name), cut at \(fault)"
        try sim.reset()
        work = try Workspace()
        try work.writeConfig(url: sim.url, extra: "SettleAfter 0\n" + scenario.config)
        try scenario.setUp(self)
        let before = try sim.state().calls.count

        work.environment["LICMGR_FAULT_POINT"] = fault
        let cut = try work.licmgr(scenario.command)
        work.environment["LICMGR_FAULT_POINT"] = nil
        let expected = fault.hasSuffix(":drop") ? Int32(ExitStatus.temporary.rawValue) : SIGKILL
        XCTAssertEqual(cut.status, expected, "\(context): the step was not reached\n\(cut.stdout)\(cut.stderr)")

        let first = try work.licmgr(["checkevent"])
        XCTAssertEqual(first.status, 0, "\(context): \(first.stdout)\(first.stderr)")
        let second = try work.licmgr(["checkevent", "--json"])
        XCTAssertEqual(second.status, 0, "\(context): \(second.stdout)\(second.stderr)")
        for action in ["ordered", "renewed", "reused", "retariffed", "parked", "deleted", "settled"] {
            XCTAssertEqual(second.jsonObject[action] as? Int, 0, "\(context): a third run still \(action)")
        }

        let calls = try sim.state().calls.dropFirst(before)
        for function in Self.paidFunctions {
            let paid = calls.filter { $0.function == function && !$0.result.hasPrefix("error") }
            XCTAssertEqual(paid.count, scenario.paid[function] ?? 0, "\(context): \(function) paid \(paid.count) times")
        }
        try scenario.verify(self)

        let store = try work.store()
        XCTAssertEqual(try store.operations(state: .pending).count, 0, "\(context): a step is still in doubt")
        XCTAssertEqual(try store.openWorkflows().count, 0, "\(context): a workflow is left open")
        for remote in try live() {
            guard let id = remote["id"].flatMap(Int.init), let known = try store.license(id), let key = known.key
            else { continue }
            XCTAssertEqual(key, remote["lickey"], "\(context): license \(id) has another key recorded")
        }
        let integrity = try store.db.query("PRAGMA integrity_check").first?.string("integrity_check")
        XCTAssertEqual(integrity, "ok", context)
    }
}
