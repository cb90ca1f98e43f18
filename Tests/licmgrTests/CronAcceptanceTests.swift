import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// checkevent, fixchilds and import-tariffs: the commands left running or run once to take over.
final class CronAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func testOverlappingRunsOrderEachLicenseOnce() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft", "latency", ms: 1500)
        let first = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        waitForLock()
        let second = try work.licmgr(["checkevent"])
        XCTAssertEqual(second.status, 75, second.stderr)
        XCTAssertTrue(second.stderr.contains("holds the lock"), second.stderr)
        let done = first.wait()
        XCTAssertEqual(done.status, 0, done.stderr)
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1)
        XCTAssertEqual(state.licenses.count, 1)
    }

    /// Waits, bounded, until a launched run holds the lock: its PID is in the lock file.
    private func waitForLock() {
        let lockPath = work.databasePath + ".lock"
        for _ in 0..<150 {
            if let text = try? String(contentsOfFile: lockPath, encoding: .utf8), !text.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTFail("no run took the lock")
    }

    func testKilledRunNeitherBlocksNorOrdersTwice() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "latency", ms: 1000)
        let run = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        // Killed once its order is journaled and on the wire; the remote goes on and makes the license.
        for _ in 0..<150 where try work.store().operations(state: .pending).isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(try work.store().operations(state: .pending).count, 1)
        run.kill()
        _ = run.wait()
        for _ in 0..<100 where try sim.state().licenses.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        let next = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(next["settled"] as? Int, 1, "\(next)")
        XCTAssertEqual(next["ordered"] as? Int, 0)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1)
        XCTAssertEqual(state.licenses.count, 1)
    }

    func testNothingToDoPrintsNothing() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("checkevent")
        try licmgr("checkevent")
        let quiet = try licmgr("checkevent")
        XCTAssertEqual(quiet.stdout, "")
        XCTAssertEqual(quiet.stderr, "")
        let verbose = try licmgr("checkevent", "-v")
        XCTAssertTrue(verbose.stdout.contains("service 7 has license"), verbose.stdout)
        let json = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(json["ordered"] as? Int, 0)
        XCTAssertEqual((json["errors"] as? [Any])?.count, 0)
    }

    func testCheckeventServesRenewsAndFollows() throws {
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        let due = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #8 addon vps8", "ip": "10.0.0.8", "pricelist": "55227",
                    "expiredate": today.description,
                ]
            ]).first)
        let first = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(first["ordered"] as? Int, 1)
        XCTAssertEqual(first["attached"] as? Int, 1)
        XCTAssertEqual(first["renewed"] as? Int, 1)
        XCTAssertEqual(
            try sim.state().licenses.first { $0["id"] == String(due) }?["expiredate"],
            today.adding(months: 1).description)

        try licmgr("service", "suspend", "8")
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().licenses.first { $0["id"] == String(due) }?["status"], "3")
    }

    func testCheckeventDryRunChangesNothing() throws {
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        try sim.seed([
            [
                "licname": "Item #8 addon vps8", "ip": "10.0.0.8", "pricelist": "55227",
                "expiredate": today.description,
            ]
        ])
        let plan = try licmgr("checkevent", "--dry-run")
        XCTAssertTrue(plan.stdout.contains("would order tariff 55227"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("would attach license"), plan.stdout)
        // A remote whose rows name tariffs may need a view to tell one; a view changes nothing either.
        let calls = try sim.state().calls
        XCTAssertEqual(calls.first?.function, "soft")
        XCTAssertTrue(
            calls.allSatisfy { $0.function == "soft" || ($0.function == "soft.edit" && $0.params["sok"] == nil) },
            "only the list and views are read: \(calls.map(\.function))")
        XCTAssertTrue(try work.store().allLicenses().isEmpty)
        XCTAssertTrue(try work.store().history(serviceID: 7, licenseID: nil).allSatisfy { $0.command == "service add" })
    }

    func testCheckeventDoesNotRepeatARefusalEveryFiveMinutes() throws {
        try sim.seed([["licname": "someone else's", "ip": "10.0.0.7", "pricelist": "55227"]])
        try addService(6, ip: "10.0.0.7")
        try licmgr("order", "6")
        try addService(7, ip: "10.0.0.7")
        let first = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(first.stderr.contains("same IP"), first.stderr)
        let second = try licmgr("checkevent")
        XCTAssertEqual(second.stdout + second.stderr, "", "the same refusal is not mailed again")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
        try licmgr("order", "7", expect: 1)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2, "by hand it is tried at once")
    }

    func testRefusedResumeIsRetriedByHandNotByEveryCron() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try BillmgrClient(
            credentials: Credentials(url: sim.url, user: "reseller@example.com", password: "secret"),
            transport: CurlTransport()
        ).suspend(license: id, line: .soft)
        try sim.fault("soft.resume", "refuse", times: 3, type: "access", message: "suspended for abuse")
        let first = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(first.stderr.contains("suspended for abuse"), first.stderr)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.resume").count, 1)
        try licmgr("service", "resume", "7", "--now", expect: 1)
        XCTAssertEqual(try sim.state().calls("soft.resume").count, 2)
    }

    func testLostOrderAnswerDuringCheckeventIsSettled() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "commit-drop")
        try licmgr("checkevent", expect: 75)
        let second = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(second["settled"] as? Int, 1)
        XCTAssertEqual(second["ordered"] as? Int, 0)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
        XCTAssertEqual(try work.store().licenses(serviceID: 7).count, 1)
    }

    func testDriftIsReportedAndPutRight() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("checkevent")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try sim.seed([["licname": "stranger", "ip": "10.0.9.9", "pricelist": "55228"]])
        try suspendOnRemote(id)
        let result = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(result["drifted"] as? Int, 1)
        XCTAssertEqual(result["discovered"] as? Int, 1)
        XCTAssertEqual(result["resumed"] as? Int, 1, "an active service's license is resumed")
        XCTAssertEqual(try sim.state().licenses.first { $0["id"] == String(id) }?["status"], "2")
    }

    /// Suspends a license behind licmgr's back, with a direct API call as another client would.
    private func suspendOnRemote(_ id: Int) throws {
        let client = BillmgrClient(
            credentials: Credentials(url: sim.url, user: "reseller@example.com", password: "secret"),
            transport: CurlTransport())
        try client.suspend(license: id, line: .soft)
    }

    func testFixchildsAttachesOrdersWhatIsMissingAndListsTheOrphan() throws {
        let ids = try sim.seed([
            ["licname": "bought by hand", "ip": "10.0.0.9", "pricelist": "55227"],
            ["licname": "stray", "ip": "10.9.9.9", "pricelist": "55228"],
        ])
        try addService(7, ip: "10.0.0.7")
        try addService(9, ip: "10.0.0.9")
        let plan = try licmgr("fixchilds", "--dry-run")
        XCTAssertTrue(plan.stdout.contains("would attach license \(ids[0]) to service 9"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("would order tariff 55227"), plan.stdout)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty)

        let result = try licmgr("fixchilds", "--json").jsonObject
        XCTAssertEqual(result["attached"] as? Int, 1)
        XCTAssertEqual(result["ordered"] as? Int, 1)
        let orphans = try XCTUnwrap(result["orphans"] as? [[String: Any]])
        XCTAssertEqual(orphans.map { $0["id"] as? Int }, [ids[1]])
        XCTAssertEqual(orphans.first?["ip"] as? String, "10.9.9.9")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
        XCTAssertEqual(try work.store().licenses(serviceID: 9).map(\.id), [ids[0]])
    }

    func testFixchildsLeavesSuspendedServicesAloneWhenTold() throws {
        try work.writeConfig(url: sim.url, extra: "Option NoFixSuspended")
        try addService(7, ip: "10.0.0.7", extra: ["--status", "suspended"])
        let result = try licmgr("fixchilds", "--json").jsonObject
        XCTAssertEqual(result["ordered"] as? Int, 0)
        let unserved = try XCTUnwrap(result["unserved"] as? [[String: Any]])
        XCTAssertEqual(unserved.first?["service_id"] as? Int, 7)
        XCTAssertTrue((unserved.first?["reason"] as? String ?? "").contains("NoFixSuspended"))
    }

    func testImportTariffsPrintsLinesConfigCheckAccepts() throws {
        let printed = try licmgr("import-tariffs")
        XCTAssertTrue(printed.stdout.contains("Price ISPmanager6Lite 55227"), printed.stdout)
        XCTAssertTrue(printed.stdout.contains("Period 1 1815 2891"), printed.stdout)
        try work.writeConfig(url: sim.url, extra: printed.stdout)
        try licmgr("config", "check")
        XCTAssertEqual(try work.store().catalogue().tariffs[55228]?.name, "ISPmanager 6 Pro")

        let again = try licmgr("import-tariffs", "--json").jsonObject
        XCTAssertEqual(again["added"] as? [Int], [])
        XCTAssertEqual(again["changed"] as? [Int], [])
    }

    func testAfterImportDryRunsShowPricesAndUnknownTariffNumbersAreRefused() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", addon: "panel=55228")
        let plan = try licmgr("order", "7", "--dry-run")
        XCTAssertTrue(plan.stdout.contains("18.00 EUR"), plan.stdout)
        let refused = try licmgr(
            "service", "add", "8", "--name", "x", "--ip", "10.0.0.8", "--addon", "panel=99999", expect: 65)
        XCTAssertTrue(refused.stderr.contains("imported catalogue"), refused.stderr)
    }
}

/// A remote that takes a while to issue a license: status 5 and no key at first.
final class ProcessingAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--processing-views", "2"] }

    func testCheckeventWaitsOutProcessingAndFetchesTheKey() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        XCTAssertEqual(try work.store().license(id)?.status, .processing)
        XCTAssertNil(try work.store().license(id)?.key)

        let run = try licmgr("checkevent")
        XCTAssertTrue(run.stdout.contains("license \(id) is active with its key"), run.stdout)
        let key = try XCTUnwrap(try sim.state().licenses.first?["lickey"])
        XCTAssertEqual(try work.store().license(id)?.key, key)
        XCTAssertEqual(try licmgr("checkevent").stdout, "", "nothing left to wait for")
    }
}
