import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Nothing is asked of the remote that it does not sell: a tariff or period the catalogue
/// lacks is refused before any call, naming the config line or addon, in dry runs and in
/// `config check` too.
final class CatalogueCheckAcceptanceTests: AcceptanceTestCase {
    private func configure(_ lines: String) throws {
        try work.writeConfig(url: sim.url, extra: lines)
    }

    /// The config's first extra line is line 8 of the file the tests write.
    private let firstExtraLine = 8

    func testPeriodLineTheTariffDoesNotSellIsRefusedBeforeAnyOrder() throws {
        try configure("Price ipmgr 2891\nPeriod 8 12 2891")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", addon: "ipmgr=on", extra: ["--period", "8"])
        for arguments in [["order", "7", "--dry-run"], ["order", "7"], ["checkevent"]] {
            let run = try work.licmgr(arguments)
            XCTAssertEqual(run.status, 78, "\(arguments): \(run.stderr)")
            XCTAssertTrue(
                run.stderr.contains(
                    "licmgr.conf:\(firstExtraLine + 1): Period 8 12 2891: tariff 2891 sells no period 12"),
                run.stderr)
        }
        let check = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(check.stderr.contains("licmgr.conf:\(firstExtraLine + 1): Period 8 12 2891"), check.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    func testPriceLineToAnUnknownTariffIsAConfigError() throws {
        try configure("Price foo 12345")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", addon: "foo=on")
        for arguments in [["order", "7", "--dry-run"], ["order", "7", "--json"]] {
            let run = try work.licmgr(arguments)
            XCTAssertEqual(run.status, 78, "\(arguments): \(run.stderr)")
            XCTAssertTrue(
                (run.stderr + run.stdout).contains("licmgr.conf:\(firstExtraLine): Price foo 12345"), run.stderr)
        }
        let check = try licmgr("config", "check", "--json", expect: 78).jsonObject
        let error = check["error"] as? [String: Any]
        XCTAssertEqual((error?["problems"] as? [String])?.count, 1, "\(check)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    /// A tariff the remote withdrew after the license was bought: nothing is bought with it
    /// again, but the license it has still serves the service, follows it and renews.
    func testALicenseOfAWithdrawnTariffStillServesFollowsAndRenews() throws {
        let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970)).description
        try sim.seed([["licname": "x", "ip": "10.0.0.7", "pricelist": "5000", "period": "1", "expiredate": today]])
        try configure("Price old 5000")
        try addService(7, ip: "10.0.0.7", addon: "old=on")
        try licmgr("fixchilds")
        try licmgr("import-tariffs")  // tariff 5000 is no longer listed
        try licmgr("service", "set", "7", "--ip", "10.0.0.8")
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.licenses.first?["ip"], "10.0.0.8")
        XCTAssertEqual(state.calls("service.prolong").count, 1)
        XCTAssertEqual(state.calls("soft.order.param").count, 0)
    }

    /// A service recorded before the catalogue showed its tariff gone is not served, and the
    /// other services of the same run are.
    func testABadLineStopsOnlyWhatItMaps() throws {
        try configure("Price ipmgr 5000")  // the simulator's "Old panel", no longer sold
        try addService(1, ip: "10.0.0.1", addon: "panel=55228")
        try addService(2, ip: "10.0.0.2", addon: "ipmgr=on")
        try licmgr("import-tariffs")
        let run = try licmgr("checkevent", expect: 78)
        XCTAssertTrue(run.stderr.contains("Price ipmgr 5000"), run.stderr)
        let orders = try sim.state().calls("soft.order.param")
        XCTAssertEqual(orders.map { $0.params["pricelist"] }, ["55228"])
    }

    /// Before the import licmgr cannot tell which periods a tariff outside the vendor's
    /// month-count ones sells: it asks for a Period line instead of ordering blind.
    func testUnknownPeriodIdsAreNotGuessedBeforeTheImport() throws {
        try configure("Price ipmgr 2891")
        try addService(7, ip: "10.0.0.7", addon: "ipmgr=on", extra: ["--period", "1"])
        let run = try licmgr("order", "7", "--dry-run", expect: 78)
        XCTAssertTrue(run.stderr.contains("add 'Period 1 <remote period id> 2891'"), run.stderr)
        try configure("Price ipmgr 2891\nPeriod ALL 1815 2891")
        try licmgr("order", "7")
        XCTAssertEqual(try sim.state().calls("soft.order.param").first?.params["period"], "1815")
    }

    func testRenewalOnAPeriodTheTariffDoesNotSellIsRefusedAndOthersRenew() throws {
        let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970)).description
        try sim.seed([
            ["licname": "a", "ip": "10.0.0.1", "pricelist": "55227", "expiredate": today],
            ["licname": "b", "ip": "10.0.0.2", "pricelist": "2891", "period": "1815", "expiredate": today],
        ])
        try configure("Price ipmgr 2891\nPeriod 3 12 2891")
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1", extra: ["--period", "3"])
        try addService(2, ip: "10.0.0.2", addon: "ipmgr=on", extra: ["--period", "3"])
        try licmgr("fixchilds")
        let run = try licmgr("renew", "--due", expect: 78)
        XCTAssertTrue(run.stderr.contains("Period 3 12 2891"), run.stderr)
        let renewals = try sim.state().calls("service.prolong")
        XCTAssertEqual(renewals.count, 1, "the Lite license renews: \(renewals)")
    }

    func testConfigCheckRemoteReadsTheCatalogueAndStoresNothing() throws {
        try configure("Price ipmgr 2891\nPeriod 10 1815 2891\nPeriod 11 1815 9999")
        let check = try licmgr("config", "check", "--remote", expect: 78)
        XCTAssertTrue(check.stderr.contains("licmgr.conf:\(firstExtraLine + 2): Period 11 1815 9999"), check.stderr)
        XCTAssertFalse(check.stderr.contains("Period 10 1815 2891"), check.stderr)
        try configure("Price ipmgr 2891\nPeriod 10 1815 2891")
        let good = try licmgr("config", "check", "--remote")
        XCTAssertTrue(good.stdout.contains("read from the remote: lines ok"), good.stdout)
        XCTAssertTrue(try work.store().catalogue().isEmpty, "a check stores no catalogue")
        let plain = try licmgr("config", "check")
        XCTAssertTrue(plain.stdout.contains("unchecked"), plain.stdout)
    }

    func testConfigCheckRemoteNamesRefusedCredentials() throws {
        try work.writeConfig(url: sim.url, password: "wrong")
        try licmgr("config", "check", "--remote", expect: 77)
    }

    /// Before the import, the first digit in a name is not a tariff id: a plain error says
    /// which Price line would map it.
    func testVersionNumbersInAddonNamesAreNotTariffs() throws {
        for value in ["ISPmanager 6 Lite", "Lite5"] {
            let run = try work.licmgr(
                ["service", "add", "7", "--name", "vps7", "--ip", "10.0.0.7", "--addon", "panel=\(value)"])
            XCTAssertEqual(run.status, 65, run.stderr)
            XCTAssertTrue(run.stderr.contains("Price"), run.stderr)
        }
        try addService(7, ip: "10.0.0.7", addon: "panel=ispmgr_55228")
        try licmgr("order", "7")
        XCTAssertEqual(try sim.state().calls("soft.order.param").first?.params["pricelist"], "55228")
    }
}
