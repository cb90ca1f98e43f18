import LicmgrTestSupport
import XCTest

final class ListingAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--max-page", "2"] }

    func testThreePageListIsReadWhole() throws {
        var rows: [[String: Any]] = []
        for n in 1...5 { rows.append(["licname": "lic \(n)", "ip": "10.0.1.\(n)", "pricelist": "55227"]) }
        try sim.seed(rows)
        try licmgr("sync")
        // A remote whose p_elems counts the page has its three pages read twice.
        XCTAssertEqual(try sim.state().calls("soft").count, sim.speaks("paging") ? 6 : 3)
        let listed = try licmgr("list", "--json").jsonArray
        XCTAssertEqual(listed.count, 5)
        XCTAssertEqual(Set(listed.compactMap { $0["ip"] as? String }), Set((1...5).map { "10.0.1.\($0)" }))
    }

    func testLicenseOnTheLastPageIsAttached() throws {
        var rows: [[String: Any]] = []
        for n in 1...5 { rows.append(["licname": "lic \(n)", "ip": "10.0.1.\(n)", "pricelist": "55227"]) }
        let ids = try sim.seed(rows)
        try addService(7, ip: "10.0.1.5")
        let result = try licmgr("order", "7", "--json")
        XCTAssertEqual(result.jsonObject["attached"] as? Int, 1)
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), [ids[4]])
    }

    func testOneLicenseListIsRead() throws {
        try sim.seed([["licname": "only", "ip": "10.0.2.1", "pricelist": "55228"]])
        try licmgr("sync")
        let listed = try licmgr("list", "--json").jsonArray
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed.first?["pricelist"] as? Int, 55228)
        XCTAssertEqual(listed.first?["service_id"] as? NSNull, NSNull())
    }

    func testEmptyListIsAnEmptyArray() throws {
        try licmgr("sync")
        XCTAssertEqual(try licmgr("list", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    func testSyncNotesALicenseGoneFromTheRemote() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try sim.reset()
        let result = try licmgr("sync", "--json")
        XCTAssertEqual(result.jsonObject["gone"] as? Int, 1)
        XCTAssertEqual(try work.store().license(id)?.gone, true)
        let history = try licmgr("history", "\(id)", "--json").jsonArray
        XCTAssertEqual(history.last?["action"] as? String, "drift")
    }
}
