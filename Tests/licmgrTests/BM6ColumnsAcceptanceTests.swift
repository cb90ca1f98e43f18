import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// BILLmanager 6's list columns: the change dates in every row, and no `remoteid` in rows or views.
final class BM6ColumnsAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "bm6-columns"] }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func views() throws -> [SimServer.Call] {
        try sim.state().calls.filter { $0.function == "soft.edit" && $0.params["sok"] == nil }
    }

    func testLostOrderAnswerIsSettledByNameAndIPWithoutASecondOrder() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "commit-drop")
        try licmgr("order", "7", expect: 75)
        let second = try licmgr("order", "7", "--json")
        XCTAssertEqual(second.jsonObject["settled"] as? Int, 1, second.stdout)
        XCTAssertEqual(second.jsonObject["ordered"] as? Int, 0, second.stdout)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 1, "no second order")
        XCTAssertEqual(state.spent, "10.00")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map { String($0.id) }, [state.licenses[0]["id"]])
        XCTAssertTrue(try work.store().operations(state: .pending).isEmpty)
    }

    func testThePoolRuleReadsTheChangeDatesFromTheListWithoutViews() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let resting = today.adding(days: -3).description
        let rested = today.adding(months: -2).description
        let ids = try sim.seed(
            [resting, rested].map { day in
                [
                    "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "3",
                    "expiredate": today.adding(days: 40).description, "ip_change_date": day,
                    "lickey_change_date": day,
                ]
            })
        try licmgr("sync")
        let free = try licmgr("list", "--free", "--json").jsonArray
        XCTAssertEqual(
            free.map { $0["reusable_from"] as? String },
            [today.adding(days: -3).adding(months: 1).adding(days: 1).description, nil])
        XCTAssertEqual(free.map { $0["not_reusable"] as? String }, [nil, nil])
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        let run = try licmgr("order", "8", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 0, run.stdout)
        XCTAssertEqual(try work.store().licenses(serviceID: 8).map(\.id), [ids[1]])
        let viewed = try views()
        XCTAssertEqual(viewed.count, 0, "the list told what views would: \(viewed.map(\.params))")
    }

    /// softexternal's rows carry their status as `item_status`: a suspended CloudLinux license
    /// reads as suspended, not as a fresh order.
    func testAThirdPartyRowsItemStatusIsItsStatus() throws {
        try assertASuspendedThirdPartyLicenseListsSuspended()
    }
}

extension AcceptanceTestCase {
    /// A suspended CloudLinux license on the account lists as suspended, whatever shape its
    /// row gives the status in.
    func assertASuspendedThirdPartyLicenseListsSuspended() throws {
        let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
        let ids = try sim.seed([
            [
                "licname": "cl", "ip": "10.0.0.9", "pricelist": "9203", "status": "3",
                "expiredate": today.adding(days: 40).description,
            ]
        ])
        // A service with a CloudLinux addon has licmgr list that family.
        try addService(8, ip: "10.0.0.8", addon: "cloudlinux=9203")
        try licmgr("sync")
        let row = try XCTUnwrap(try licmgr("list", "--json").jsonArray.first { $0["id"] as? Int == ids.first })
        XCTAssertEqual(row["status"] as? String, "suspended", "\(row)")
        XCTAssertEqual(row["line"] as? String, "softexternal")
    }
}
