import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A remote whose `soft` list names each license's tariff (BILLmanager 6's "Tariff plan")
/// and gives its id only in the edit form and the catalogue.
final class TariffNameAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "tariff-names"] }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    /// Views of licenses (`soft.edit` without `sok`) since the call log was last read.
    func views(since before: Int = 0) throws -> [SimServer.Call] {
        try sim.state().calls.dropFirst(before).filter { $0.function == "soft.edit" && $0.params["sok"] == nil }
    }

    /// Three Lite licenses, a Pro, and one of each BILLmanager 6 tariff, whose two tariffs
    /// share a name; a service for each on its IP. Returns license ids by service id.
    func seedTakeover() throws -> [Int: Int] {
        let tariffs = [1: "55227", 2: "55227", 3: "55227", 4: "55228", 5: "55382", 6: "55384"]
        var licenses: [Int: Int] = [:]
        for (service, tariff) in tariffs.sorted(by: { $0.key < $1.key }) {
            let ip = "10.0.0.\(service)"
            licenses[service] = try XCTUnwrap(
                try sim.seed([["licname": "Item #\(service) addon vps\(service)", "ip": ip, "pricelist": tariff]])
                    .first)
            let addon = ["55227": "panel=Lite", "55228": "panel=Pro"][tariff] ?? "bill=\(tariff)"
            try addService(service, ip: ip, addon: addon)
        }
        return licenses
    }

    func assertTakenOver(_ licenses: [Int: Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let state = try sim.state()
        XCTAssertTrue(state.calls("soft.order.param").isEmpty, "nothing bought", file: file, line: line)
        XCTAssertEqual(state.spent, "0.00", file: file, line: line)
        let listed = try licmgr("list", "--json").jsonArray
        for (service, license) in licenses {
            let row = listed.first { $0["id"] as? Int == license }
            XCTAssertEqual(row?["service_id"] as? Int, service, "license \(license)", file: file, line: line)
            let remote = state.licenses.first { $0["id"] == String(license) }
            XCTAssertEqual(
                (row?["pricelist"] as? Int).map(String.init), remote?["pricelist"], "license \(license)", file: file,
                line: line)
        }
    }

    func testFixchildsAttachesByNameWithoutACatalogueViewingOncePerUnambiguousName() throws {
        let licenses = try seedTakeover()
        let run = try licmgr("fixchilds", "--json")
        XCTAssertEqual(run.jsonObject["ordered"] as? Int, 0, run.stdout)
        try assertTakenOver(licenses)
        // Lite once for three licenses, Pro once, and each of the two tariffs sharing a name.
        let viewed = try views()
        XCTAssertEqual(viewed.count, 4, "\(viewed.map(\.params))")

        let before = try sim.state().calls.count
        let again = try licmgr("checkevent", "-v")
        XCTAssertFalse(again.stdout.contains("tariff"), "no tariff drift: \(again.stdout)")
        XCTAssertEqual(try views(since: before).count, 0, "recorded names need no view")
        let shown = try licmgr("show", String(licenses[6]!), "--json").jsonObject
        XCTAssertEqual(shown["pricelist"] as? Int, 55384)
    }

    func testFixchildsAttachesByNameThroughTheCatalogueViewingOnlyAmbiguousNames() throws {
        try licmgr("import-tariffs")
        let licenses = try seedTakeover()
        try licmgr("fixchilds")
        try assertTakenOver(licenses)
        XCTAssertEqual(
            Set(try views().compactMap { $0.params["elid"] }), [String(licenses[5]!), String(licenses[6]!)],
            "only the two licenses whose tariff name the catalogue holds twice are viewed")
    }

    /// Order, renewal, a tariff change and the free pool, by tariff id, whatever the rows say.
    func lifecycle(imported: Bool) throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        if imported { try licmgr("import-tariffs") }
        // One license bought, one found on the account and renewed when due.
        try addService(9, ip: "10.0.0.9")
        try licmgr("order", "9")
        XCTAssertEqual(try work.store().licenses(serviceID: 9).map(\.pricelist), [55227])
        let id = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227",
                    "expiredate": today.adding(days: 1).description,
                ]
            ]).first)
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.id), [id])
        XCTAssertEqual(try work.store().license(id)?.pricelist, 55227)
        let quiet = try licmgr("checkevent", "-v")
        XCTAssertFalse(quiet.stdout.contains("tariff"), quiet.stdout)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1, "licenses found are not bought again")
        XCTAssertEqual(try sim.state().calls("service.prolong").map { $0.params["elid"] }, [String(id)])
        try licmgr("renew", "--due")
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1, "renewed once")

        try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now")
        let change = try sim.state().calls("service.changepricelist")
        XCTAssertEqual(change.map { $0.params["pricelist"] }, ["55228"])
        XCTAssertEqual(try work.store().license(id)?.pricelist, 55228)
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("service.changepricelist").count, 1, "the change is seen made")
        XCTAssertEqual(try licmgr("show", String(id), "--json").jsonObject["pricelist"] as? Int, 55228)

        // Parked licenses of two tariffs: the service takes the one of its own.
        let rested = today.adding(months: -2).description
        let parked = try sim.seed(
            ["55228", "55227"].map { tariff in
                [
                    "licname": "free.lic", "ip": "0.0.0.0", "pricelist": tariff, "status": "3",
                    "expiredate": today.adding(days: 20).description, "ip_change_date": rested,
                    "lickey_change_date": rested,
                ]
            })
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        let reuse = try licmgr("order", "8", "--json")
        XCTAssertEqual(reuse.jsonObject["ordered"] as? Int, 0, reuse.stdout)
        XCTAssertEqual(try work.store().licenses(serviceID: 8).map(\.id), [parked[1]])
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testLifecycleWithoutACatalogue() throws {
        try lifecycle(imported: false)
    }

    func testLifecycleWithAnImportedCatalogue() throws {
        try lifecycle(imported: true)
    }

    func testARowWhoseTariffCannotBeResolvedStopsTheRunAndBuysNothing() throws {
        let license = try XCTUnwrap(try sim.seed([["licname": "x", "ip": "10.0.0.7", "pricelist": "55227"]]).first)
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.edit", "refuse", type: "access", message: "no access to this license")
        let run = try licmgr("fixchilds", expect: 75)
        XCTAssertTrue(run.stderr.contains("license \(license) lists tariff 'ISPmanager 6 Lite'"), run.stderr)
        XCTAssertTrue(run.stderr.contains("no access to this license"), run.stderr)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty, "nothing is bought for tariff 0")
        XCTAssertTrue(try work.store().allLicenses().isEmpty, "no tariff 0 is stored")

        try licmgr("fixchilds")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).map(\.pricelist), [55227])
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty)
    }
}
