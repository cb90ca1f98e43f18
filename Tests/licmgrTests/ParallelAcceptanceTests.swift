import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `Parallel N`: steps go out together, and the journal's promises hold for each of them.
/// A kill while a batch is in flight leaves every sent step journaled; the next runs settle
/// them, and nothing is bought or renewed twice, nothing is lost.
final class ParallelAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    /// Services 1...count, each on its own IP.
    private func services(_ count: Int) throws {
        for id in 1...count { try addService(id, ip: "10.0.1.\(id)") }
    }

    /// The calls of `function` the remote carried out.
    private func applied(_ function: String) throws -> [SimServer.Call] {
        try sim.state().calls(function).filter { ["ok", "fault:latency", "fault:commit-drop"].contains($0.result) }
    }

    private func assertSettledTwice(_ context: String) throws {
        let first = try licmgr("checkevent")
        XCTAssertEqual(first.status, 0, "\(context): \(first.stderr)")
        let second = try licmgr("checkevent", "--json")
        for action in ["ordered", "renewed", "settled", "in_doubt"] {
            XCTAssertEqual(second.jsonObject[action] as? Int, 0, "\(context): a third run still \(action)")
        }
        XCTAssertEqual(try work.store().operations(state: .pending).count, 0, "\(context): a step still in doubt")
    }

    /// On a fresh account and workspace with `Parallel parallel`, set up by `setUp`: `command`
    /// killed at `fault`, then two checkevents that must settle everything.
    private func killAndSettle(
        _ command: [String], at fault: String, parallel: Int, setUp: () throws -> Void
    ) throws {
        let context = "killed at \(fault)"
        try sim.reset()
        work = try Workspace()
        try work.writeConfig(url: sim.url, extra: "SettleAfter 0\nParallel \(parallel)")
        try setUp()
        work.environment["LICMGR_FAULT_POINT"] = fault
        let killed = try work.licmgr(command)
        work.environment["LICMGR_FAULT_POINT"] = nil
        XCTAssertEqual(killed.status, SIGKILL, "\(context): \(killed.stderr)")
        try assertSettledTwice(context)
    }

    func testKillDuringABatchOfOrdersBuysEachLicenseOnce() throws {
        for phase in ["before", "after"] {
            let context = "killed at order:\(phase)"
            try killAndSettle(["checkevent"], at: "order:\(phase)", parallel: 3) {
                try services(6)
                try sim.fault("soft.order.param", "latency", ms: 200, times: 6)
            }
            let orders = try applied("soft.order.param")
            XCTAssertEqual(orders.count, 6, "\(context): one order per service, \(orders.count) made")
            XCTAssertEqual(Set(orders.compactMap { $0.params["ip"] }).count, 6, "\(context): an IP ordered twice")
            let store = try work.store()
            for id in 1...6 {
                XCTAssertEqual(
                    try store.licenses(serviceID: id).filter(\.isLive).count, 1, "\(context): service \(id)")
            }
        }
    }

    func testKillDuringABatchOfRenewalsRenewsEachLicenseOnce() throws {
        for phase in ["before", "after"] {
            let context = "killed at renew:\(phase)"
            try killAndSettle(["renew", "--due"], at: "renew:\(phase)", parallel: 4) {
                try services(5)
                let due = today.adding(days: 1).description
                try sim.seed(
                    (1...5).map { id in
                        [
                            "licname": "Item #\(id) addon vps\(id)", "ip": "10.0.1.\(id)", "pricelist": "55227",
                            "period": "1", "expiredate": due,
                        ]
                    })
                try licmgr("order", "1", "2", "3", "4", "5")
                try sim.fault("service.prolong", "latency", ms: 200, times: 5)
            }
            let renewals = try applied("service.prolong")
            XCTAssertEqual(renewals.count, 5, "\(context): one renewal per license, \(renewals.count) made")
            XCTAssertEqual(Set(renewals.compactMap { $0.params["elid"] }).count, 5, "\(context): one renewed twice")
            for license in try sim.state().licenses {
                XCTAssertEqual(license["expiredate"], today.adding(days: 1).adding(months: 1).description, context)
            }
        }
    }

    /// Answers lost in the middle of a batch: those steps stay in doubt, the others are
    /// recorded, and the next run settles the lost ones without paying again.
    func testLostAnswersInABatchAreSettledNotRepeated() throws {
        try work.writeConfig(url: sim.url, extra: "SettleAfter 0\nParallel 4")
        try services(6)
        try sim.fault("soft.order.param", "commit-drop", times: 2)
        let first = try licmgr("checkevent", "--json", expect: 75)
        XCTAssertEqual(first.jsonObject["in_doubt"] as? Int, 2, first.stdout)
        try assertSettledTwice("two answers lost")
        XCTAssertEqual(try applied("soft.order.param").count, 6)
        XCTAssertEqual(try sim.state().licenses.count, 6)
    }

    /// With `Parallel 1` a refusal or a loss stops the run where it happened, as one-at-a-time runs always did.
    func testParallelOneSendsOneStepAtATime() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        try services(4)
        try sim.fault("soft.order.param", "commit-drop", times: 1)
        try licmgr("checkevent", expect: 75)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1, "nothing is sent after a lost answer")
    }

    /// A run of many calls logs in once and goes on with the session, in parallel as well.
    func testALongRunUsesOneSession() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 4")
        try services(20)
        let run = try licmgr("checkevent", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 20, run.stdout)
        let state = try sim.state()
        XCTAssertEqual(state.calls("auth").count, 1)
        XCTAssertEqual(state.calls("auth").first?.result, "ok")
        XCTAssertEqual(state.licenses.count, 20)
    }

    func testParallelOutOfRangeIsAConfigError() throws {
        for value in ["0", "33", "many"] {
            try work.writeConfig(url: sim.url, extra: "Parallel \(value)")
            let result = try licmgr("config", "check", expect: 78)
            XCTAssertTrue(result.stderr.contains("Parallel"), result.stderr)
            XCTAssertTrue(result.stderr.contains("licmgr.conf:"), result.stderr)
        }
    }
}
