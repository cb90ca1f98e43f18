import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// What `--dry-run` plans is what the run then does: the same actions for the same services
/// and licenses, and the same cost.
final class PlanAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    /// The changes of a dry run's items as the run would report them, and of a run's items.
    private func actions(_ run: [String: Any], planned: Bool) -> [String] {
        let changes: Set = ["ordered", "attached", "reused", "renewed", "retariffed", "parked", "deleted", "edited"]
        return (run["items"] as? [[String: Any]] ?? []).compactMap { item in
            let action = "\(planned ? item["plan"] ?? "" : item["action"] ?? "")"
            guard changes.contains(action) else { return nil }
            let license = planned && action == "ordered" ? "-" : "\(item["license_id"] ?? "-")"
            return "\(action) service \(item["service_id"] ?? "-") license \(license)"
        }.sorted()
    }

    /// One free license and two services of a reuse package: the dry run gives it to the first
    /// and prices an order for the second, as the run then does.
    func testAFreeLicenseIsPlannedForOneServiceOnly() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        try licmgr("import-tariffs")
        try sim.seed([
            [
                "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "3",
                "expiredate": today.adding(months: 3).description,
                "ip_change_date": today.adding(months: -2).description,
                "lickey_change_date": today.adding(months: -6).description,
            ]
        ])
        for id in 1...2 { try addService(id, ip: "10.0.0.\(id)", extra: ["--package", "12"]) }
        let plan = try licmgr("order", "1", "2", "--dry-run", "--json").jsonObject
        XCTAssertEqual(plan["cost"] as? Double, 10, "\(plan)")
        let said = (plan["items"] as? [[String: Any]] ?? []).map { "\($0["detail"] ?? "")" }
        XCTAssertTrue(
            said.contains { $0.hasSuffix("the free licenses of tariff 55227 are taken by services)") }, "\(said)")
        let run = try licmgr("order", "1", "2", "--json").jsonObject
        XCTAssertEqual(
            actions(plan, planned: true),
            actions(run, planned: false).map {
                $0.hasPrefix("ordered") ? "ordered service 2 license -" : $0
            })
        XCTAssertEqual(actions(run, planned: false).filter { $0.hasPrefix("ordered service 2") }.count, 1, "\(run)")
        XCTAssertEqual(run["spent"] as? Double, 10, "\(run)")
        let done = (run["items"] as? [[String: Any]] ?? []).map { "\($0["detail"] ?? "")" }
        XCTAssertTrue(
            done.contains { $0.hasSuffix("for service 2 (10.0.0.2): ISPmanager 6 Lite (55227), 1 month") }, "\(done)")
    }

    /// A license found on a new service's IP that is due: the dry run plans its attachment and
    /// its renewal, as the run makes both.
    func testALicenseAttachedInTheRunHasItsRenewalPlanned() throws {
        try sim.seed([
            [
                "licname": "bought by hand", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": today.description,
            ]
        ])
        try licmgr("import-tariffs")
        try licmgr("sync")
        try addService(7, ip: "10.0.0.7")
        let plan = try licmgr("checkevent", "--dry-run", "--json").jsonObject
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(actions(plan, planned: true), actions(run, planned: false), "\(plan)\n\(run)")
        XCTAssertEqual(actions(run, planned: false).filter { $0.hasPrefix("renewed") }.count, 1, "\(run)")
        let said = (run["items"] as? [[String: Any]] ?? []).map { "\($0["detail"] ?? "")" }
        XCTAssertTrue(
            said.contains { $0.hasPrefix("renewed license 100001 of service 7 for 1 month until ") }, "\(said)")
        XCTAssertEqual(plan["cost"] as? Double, run["spent"] as? Double)
    }

    /// A renewal the remote's dates call due that licmgr's record does not yet know of (the
    /// expiry moved on the remote): the dry run plans it from the listing, as the run renews it,
    /// and leaves no copy of the database behind.
    func testADryRunPlansFromWhatTheAccountShowsNow() throws {
        try licmgr("import-tariffs")
        let id = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "bought by hand", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                    "expiredate": today.adding(months: 3).description,
                ]
            ]).first)
        try addService(7, ip: "10.0.0.7")
        try licmgr("fixchilds")
        // Renewed by hand on the remote's panel, say, or its term cut short: licmgr learns of it at the next read.
        try sim.update([["id": id, "expiredate": today.description]])
        let scratch = work.directory.appendingPathComponent("tmp").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        work.environment["TMPDIR"] = scratch
        let plan = try licmgr("renew", "--due", "--dry-run", "--json").jsonObject
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
        XCTAssertEqual(try work.store().license(id)?.expires, today.adding(months: 3), "the dry run wrote nothing")
        let run = try licmgr("renew", "--due", "--json").jsonObject
        XCTAssertEqual(actions(plan, planned: true), ["renewed service 7 license \(id)"], "\(plan)")
        XCTAssertEqual(actions(plan, planned: true), actions(run, planned: false), "\(run)")
    }
}
