import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A dry run's items say, as `plan`, the action the run then reports for the same service and
/// license, so that a script can set the two side by side.
final class DryRunPlanAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    private struct Step: Hashable {
        var action: String
        var service: Int?
    }

    /// What a run learns (a license first seen, read again) or leaves as it is: no step of a plan.
    private static let notSteps: Set = ["discovered", "refreshed", "drifted", "gone", "unchanged"]

    private func steps(_ result: RunResult, key: String) -> [Step] {
        let items = result.jsonObject["items"] as? [[String: Any]] ?? []
        return items.compactMap { item in
            (item[key] as? String).flatMap {
                Self.notSteps.contains($0) ? nil : Step(action: $0, service: item["service_id"] as? Int)
            }
        }.sorted { ($0.service ?? 0, $0.action) < ($1.service ?? 0, $1.action) }
    }

    func testEachPlannedItemNamesTheActionTheRunTakes() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        try licmgr("import-tariffs")
        try addService(5, ip: "10.8.0.5")
        let due = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #5 addon vps5", "ip": "10.8.0.5", "pricelist": "55227",
                    "expiredate": today.adding(days: 20).description,
                ]
            ]).first)
        try licmgr("checkevent")
        try sim.update([["id": due, "expiredate": today.description]])
        try addService(1, ip: "10.8.0.1")
        try addService(2, ip: "10.8.0.2")
        try addService(3, ip: "10.8.0.3", extra: ["--package", "12"])
        try sim.seed([
            [
                "licname": "Item #2 addon vps2", "ip": "10.8.0.2", "pricelist": "55227",
                "expiredate": today.adding(days: 20).description,
            ],
            [
                "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "3",
                "expiredate": today.adding(months: 3).description,
                "ip_change_date": today.adding(months: -2).description,
                "lickey_change_date": today.adding(months: -2).description,
            ],
        ])
        try licmgr("sync")
        let plan = try licmgr("checkevent", "--dry-run", "--json")
        let planned = steps(plan, key: "plan")
        XCTAssertEqual(Set(planned.map(\.action)), ["ordered", "attached", "reused", "renewed"], plan.stdout)
        XCTAssertTrue(
            (plan.jsonObject["items"] as? [[String: Any]] ?? []).allSatisfy { $0.keys.contains("plan") }, plan.stdout)
        let run = try licmgr("checkevent", "--json")
        XCTAssertNil((run.jsonObject["items"] as? [[String: Any]])?.first?["plan"], "only a dry run's items carry it")
        XCTAssertEqual(planned, steps(run, key: "action"), run.stdout)
    }

    /// checkevent does not send again within the hour a step the remote refused for good; its
    /// dry run says so rather than plan the step.
    func testAStepRefusedWithinTheHourIsSkippedByTheDryRunAsByTheRun() throws {
        try work.writeConfig(url: sim.url)
        try licmgr("import-tariffs")
        try addService(1, ip: "10.8.0.1")
        try licmgr("checkevent")
        try licmgr("service", "set", "1", "--ip", "10.8.0.9")
        try sim.fault("soft.edit", "refuse", type: "value", message: "the IP is not allowed")
        try licmgr("checkevent", expect: 1)
        func edits() throws -> Int { try sim.state().calls("soft.edit").filter { $0.params["ip"] != nil }.count }
        XCTAssertEqual(try edits(), 1)

        let plan = try licmgr("checkevent", "--dry-run", "--json")
        let items = plan.jsonObject["items"] as? [[String: Any]] ?? []
        XCTAssertFalse(items.contains { $0["plan"] as? String == "edited" }, plan.stdout)
        let skipped = items.filter { $0["action"] as? String == "skipped" }
        XCTAssertEqual(skipped.count, 1, plan.stdout)
        XCTAssertTrue((skipped.first?["detail"] as? String ?? "").contains("was refused at"), plan.stdout)
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(
            (run.jsonObject["items"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "skipped" }.count,
            1,
            run.stdout)
        XCTAssertEqual(try edits(), 1, "not sent again within the hour")
    }
}
