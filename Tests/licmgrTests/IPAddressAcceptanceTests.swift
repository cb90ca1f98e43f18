import LicmgrCore
import LicmgrTestSupport
import XCTest

/// IP addresses compare by value: every spelling of one address is that address.
final class IPAddressAcceptanceTests: AcceptanceTestCase {
    func testRemoteLicenseOnAnotherSpellingOfTheIPIsAttachedNotBought() throws {
        let ids = try sim.seed([["licname": "bought by hand", "ip": "2001:DB8:0:0:0:0:0:A", "pricelist": "55227"]])
        try addService(7, ip: "2001:db8::a")
        let result = try licmgr("fixchilds", "--json").jsonObject
        XCTAssertEqual(result["attached"] as? Int, 1)
        XCTAssertEqual(result["ordered"] as? Int, 0)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), ids)
    }

    func testServiceAddStoresTheCanonicalSpelling() throws {
        try addService(7, ip: "2001:DB8::A")
        XCTAssertEqual(try licmgr("service", "show", "7", "--json").jsonObject["ip"] as? String, "2001:db8::a")
        XCTAssertEqual(try work.store().service(7)?.ip, "2001:db8::a")
        try licmgr("service", "set", "7", "--ip", "2001:db8:0:0:0:0:0:a")
        XCTAssertEqual(try work.store().history(serviceID: 7, licenseID: nil).count, 1, "the same address is no change")
    }
}
