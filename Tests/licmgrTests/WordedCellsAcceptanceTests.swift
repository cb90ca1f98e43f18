import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Cells worded as the web interface shows them: a status as `$orig` beside "Suspended", a
/// period beside "1 month", a date beside "31.01.2027", softexternal's `item_status` as the
/// word alone. licmgr reads the
/// code or the word, never a fresh order in place of what the remote says.
final class WordedCellsAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "worded,bm6-columns"] }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    private var client: BillmgrClient {
        BillmgrClient(
            credentials: Credentials(url: sim.url, user: "reseller@example.com", password: "secret"),
            transport: CurlTransport())
    }

    /// Suspended behind licmgr's back, the license of an active service is resumed: read as a
    /// fresh order, it was left suspended.
    func testAWordedSuspendedLicenseIsResumed() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try client.suspend(license: id, line: .soft)
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.resume").count, 1)
        XCTAssertEqual(state.licenses.first { $0["id"] == String(id) }?["status"], "2")
        let row = try XCTUnwrap(try licmgr("list", "--json").jsonArray.first { $0["id"] as? Int == id })
        XCTAssertEqual(row["status"] as? String, "active", "\(row)")
        XCTAssertEqual(row["period"] as? Int, 1, "the period's code beside its words: \(row)")
    }

    /// Deleted behind licmgr's back, the license no longer serves: the service gets a new one.
    func testAWordedDeletedLicenseIsReplaced() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try client.delete(license: id, line: .soft)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2)
        let live = try work.store().licenses(serviceID: 7).filter { $0.status.isLive && !$0.gone }
        XCTAssertEqual(live.count, 1)
        XCTAssertNotEqual(live.first?.id, id)
    }

    /// A due expiry worded `DD.MM.YYYY` beside its `$orig` is renewed: read as no expiry at
    /// all, it was never due and the license lapsed.
    func testAWordedDueExpiryIsRenewed() throws {
        try addService(7, ip: "10.0.0.7")
        let id = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                    "expiredate": today.adding(days: 1).description,
                ]
            ]).first)
        try licmgr("order", "7")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), [id], "attached, not bought")
        let run = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(run.jsonObject["renewed"] as? Int, 1, run.stdout)
        let renewed = try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(id) })
        XCTAssertEqual(renewed["expiredate"], today.adding(days: 1).adding(months: 1).description)
        let row = try XCTUnwrap(try licmgr("list", "--json").jsonArray.first { $0["id"] as? Int == id })
        XCTAssertEqual(row["expires"] as? String, today.adding(days: 1).adding(months: 1).description, "\(row)")
        XCTAssertEqual(row["period"] as? Int, 1, "the period's code beside its words: \(row)")
    }

    /// softexternal's `item_status` carries the word alone.
    func testAThirdPartyRowsWordedItemStatusIsItsStatus() throws {
        try assertASuspendedThirdPartyLicenseListsSuspended()
    }
}
