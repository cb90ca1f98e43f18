import LicmgrCore
import LicmgrTestSupport
import XCTest

final class OrderAcceptanceTests: AcceptanceTestCase {
    func testOrderBuysExactlyOneLicenseWithTheRightFields() throws {
        try addService(7, ip: "10.0.0.7", addon: "panel=Pro", extra: ["--period", "12"])
        let result = try licmgr("order", "7")
        XCTAssertTrue(result.stdout.contains("ordered license"), result.stdout)

        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1)
        XCTAssertEqual(state.licenses.count, 1)
        let license = try XCTUnwrap(state.licenses.first)
        XCTAssertEqual(license["licname"], "Item #7 addon vps7")
        XCTAssertEqual(license["ip"], "10.0.0.7")
        XCTAssertEqual(license["pricelist"], "55228")
        XCTAssertEqual(license["period"], "12")
        XCTAssertEqual(license["autoprolong"], "null", "orders are sent with auto-renewal off")
        XCTAssertEqual(state.spent, "180.00")

        let stored = try work.store().licenses(serviceID: 7)
        XCTAssertEqual(stored.map(\.id), [Int(license["id"]!)!])
        XCTAssertEqual(stored.first?.remoteID, license["remoteid"])
        XCTAssertEqual(stored.first?.key, license["lickey"], "the key is read right after ordering")
    }

    func testOrderingAgainDoesNothing() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let second = try licmgr("order", "7", "--json")
        XCTAssertEqual(second.jsonObject["ordered"] as? Int, 0)
        XCTAssertEqual(second.jsonObject["unchanged"] as? Int, 1)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1)
        XCTAssertEqual(state.licenses.count, 1)
        XCTAssertEqual(state.spent, "10.00")
    }

    func testLostAnswerAfterCommitDoesNotOrderTwice() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "commit-drop")
        let first = try licmgr("order", "7", expect: 75)
        XCTAssertTrue(first.stderr.contains("next run settles it"), first.stderr)
        XCTAssertEqual(try work.store().operations(state: .pending).count, 1, "the order stays in doubt")
        let doubt = try licmgr("journal", "--json").jsonArray
        XCTAssertEqual(doubt.map { $0["kind"] as? String }, ["order"])
        XCTAssertEqual(doubt.first?["state"] as? String, "in_doubt")
        XCTAssertEqual(doubt.first?["service_id"] as? Int, 7)

        let second = try licmgr("order", "7", "--json")
        XCTAssertEqual(second.jsonObject["settled"] as? Int, 1)
        XCTAssertEqual(second.jsonObject["ordered"] as? Int, 0)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1, "no second order was sent")
        XCTAssertEqual(state.licenses.count, 1)
        XCTAssertEqual(state.spent, "10.00")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), [Int(state.licenses[0]["id"]!)!])
        XCTAssertTrue(try work.store().operations(state: .pending).isEmpty)
        XCTAssertEqual(try licmgr("journal").stdout, "", "nothing left in doubt")
        XCTAssertEqual(try licmgr("journal", "--all", "--json").jsonArray.map { $0["state"] as? String }, ["done"])
    }

    func testTruncatedAnswerIsSettledWithoutASecondOrder() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "truncated")
        try licmgr("order", "7", expect: 76)
        try licmgr("sync")
        XCTAssertEqual(
            try work.store().licenses(serviceID: 7).count, 1, "sync settles the order and attaches its license")
        try licmgr("order", "7")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testFailureBeforeCommitIsSettledAndOrderedOnce() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "http500")
        try licmgr("order", "7", expect: 75)
        XCTAssertTrue(try sim.state().licenses.isEmpty)

        let second = try licmgr("order", "7", "--json")
        XCTAssertEqual(second.jsonObject["settled"] as? Int, 1)
        XCTAssertEqual(second.jsonObject["ordered"] as? Int, 1)
        let state = try sim.state()
        XCTAssertEqual(state.licenses.count, 1)
        XCTAssertEqual(state.spent, "10.00")
    }

    func testTimedOutOrderIsWaitedForBeforeOrderingAgain() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "noanswer", ms: 5000)
        let first = try licmgr("order", "7", expect: 75)
        XCTAssertTrue(first.stderr.contains("no answer within 3 s"), first.stderr)

        // The remote may still be working on it: an impatient second run must not buy again.
        let second = try licmgr("order", "7", "--json", expect: 75)
        XCTAssertEqual(second.jsonObject["ordered"] as? Int, 0)
        XCTAssertEqual(second.jsonObject["in_doubt"] as? Int, 1, second.stdout)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)

        try work.writeConfig(url: sim.url, extra: "SettleAfter 0")
        try licmgr("order", "7")
        let state = try sim.state()
        XCTAssertEqual(state.licenses.count, 1, "the order that timed out was never applied; one was bought after")
        XCTAssertEqual(state.calls("soft.order.param").count, 2)
    }

    func testExistingLicenseWithTheSameIPAndTariffIsAttachedNotBought() throws {
        let ids = try sim.seed([["licname": "old name", "ip": "10.0.0.7", "pricelist": "55227", "period": "1"]])
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", "--json")
        XCTAssertEqual(result.jsonObject["attached"] as? Int, 1)
        let state = try sim.state()
        XCTAssertTrue(state.calls("soft.order.param").isEmpty)
        XCTAssertEqual(state.spent, "0.00")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), ids)
    }

    func testDryRunChangesNothing() throws {
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", "--dry-run")
        XCTAssertTrue(result.stdout.contains("would order tariff 55227"), result.stdout)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty)
        XCTAssertTrue(try work.store().operations(state: .pending).isEmpty)
        XCTAssertTrue(try work.store().allLicenses().isEmpty)
    }

    func testRefusedOrderFailsThatItemAndTheBatchGoesOn() throws {
        try sim.seed([["licname": "someone else", "ip": "10.0.0.8", "pricelist": "55227"]])
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8", addon: "panel=55227")
        try licmgr("order", "8")
        try addService(9, ip: "10.0.0.8", addon: "panel=Lite")
        let result = try licmgr("order", "9", "7", "--json", expect: 1)
        XCTAssertEqual(result.jsonObject["failed"] as? Int, 1)
        XCTAssertEqual(result.jsonObject["ordered"] as? Int, 1)
        let errors = try XCTUnwrap(result.jsonObject["errors"] as? [[String: Any]])
        XCTAssertEqual(errors.first?["service_id"] as? Int, 9)
        XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("same IP"), "\(errors)")
    }

    func testUnknownServiceIDChangesNothing() throws {
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", "99", expect: 65)
        XCTAssertTrue(result.stderr.contains("no service with id 99"), result.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty, "nothing is sent before every id is known")
    }
}

/// An unused license of another edition on the service's IP is moved to the needed tariff,
/// not joined by a second license: the vendor refuses two licenses of a product on one IP.
final class SameIPOtherTariffAcceptanceTests: AcceptanceTestCase {
    /// Service 7 needs Lite on 10.0.0.7, where an unused Pro license sits.
    private func proOnTheServicesIP() throws -> Int {
        let ids = try sim.seed([["licname": "old box", "ip": "10.0.0.7", "pricelist": "55228"]])
        try addService(7, ip: "10.0.0.7")
        return ids[0]
    }

    func testFixchildsMovesTheLicenseInsteadOfBuying() throws {
        let pro = try proOnTheServicesIP()
        let dry = try licmgr("fixchilds", "--dry-run")
        XCTAssertTrue(dry.stdout.contains("would attach license \(pro) to service 7"), dry.stdout)
        XCTAssertTrue(
            dry.stdout.contains("would change license \(pro) of service 7 to ") && dry.stdout.contains("55227"),
            dry.stdout)
        XCTAssertFalse(dry.stdout.contains("would order"), dry.stdout)
        try licmgr("fixchilds")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 0)
        XCTAssertEqual(state.calls("service.changepricelist").count, 1)
        XCTAssertEqual(state.licenses.first?["pricelist"], "55227")
        let shown = try licmgr("show", "--service", "7", "--json").jsonObject
        XCTAssertEqual(shown["id"] as? Int, pro)
        XCTAssertEqual(shown["pricelist"] as? Int, 55227)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0, "nothing bought later either")
    }

    /// Cut once the change is journaled, before or after it is sent: the next run settles it
    /// and changes the tariff of the license now attached if it must, and buys nothing.
    private func killAndSettle(at point: String) throws {
        try work.writeConfig(url: sim.url, extra: "SettleAfter 0")
        _ = try proOnTheServicesIP()
        work.environment["LICMGR_FAULT_POINT"] = point
        try licmgr("order", "7", expect: SIGKILL)
        work.environment["LICMGR_FAULT_POINT"] = nil
        try licmgr("checkevent")
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 0)
        XCTAssertEqual(state.calls("service.changepricelist").count, 1)
        XCTAssertEqual(state.licenses.map { $0["pricelist"] }, ["55227"])
    }

    func testAKillBeforeTheChangeIsSentLeavesItToTheNextRun() throws {
        try killAndSettle(at: "retariff:before")
    }

    func testAKillAfterTheChangeIsSentIsSettled() throws {
        try killAndSettle(at: "retariff:after")
    }

    func testALicenseServingAnotherServiceIsNotTaken() throws {
        _ = try proOnTheServicesIP()
        try addService(8, ip: "10.0.0.7", addon: "panel=Pro")
        try licmgr("order", "8")
        let run = try licmgr("order", "7", expect: 1)
        XCTAssertTrue(run.stderr.contains("same IP address"), run.stderr)
        XCTAssertEqual(try sim.state().calls("service.changepricelist").count, 0)
    }
}
