import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Billing periods in plain sight: words in text, raw ids in JSON, and what a period change
/// will do and when.
final class PeriodAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func ordered(_ id: Int) throws -> Int {
        try licmgr("order", String(id))
        return try XCTUnwrap(try work.store().licenses(serviceID: id).first?.id)
    }

    func testPeriodsReadAsWordsInTextAndStayRawInJSON() throws {
        try addService(7, ip: "10.0.0.7", extra: ["--period", "12"])
        XCTAssertTrue(
            try licmgr("order", "7", "--dry-run").stdout.contains(
                "would order tariff 55227, 1 year, for service 7 (10.0.0.7)"))
        let id = try ordered(7)
        let list = try licmgr("list").stdout
        XCTAssertTrue(list.contains("  1 year  "), list)
        let show = try licmgr("show", String(id)).stdout
        XCTAssertTrue(show.contains("period   1 year"), show)
        XCTAssertEqual(try licmgr("show", String(id), "--json").jsonObject["period"] as? Int, 12)
        XCTAssertEqual(try licmgr("list", "--json").jsonArray.first?["period"] as? Int, 12)
        XCTAssertTrue(try licmgr("history").stdout.contains("tariff 55227, 1 year, 10.0.0.7"))
        XCTAssertTrue(try licmgr("service", "show", "7").stdout.contains("period    12 (1 year)"))
        XCTAssertEqual(try licmgr("service", "show", "7", "--json").jsonObject["period"] as? Int, 12)
    }

    func testARenewalDryRunNamesThePeriodInWords() throws {
        try addService(7, ip: "10.0.0.7", extra: ["--period", "12"])
        let id = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "12",
                    "expiredate": today.description,
                ]
            ]).first)
        try licmgr("fixchilds")
        let dry = try licmgr("renew", "--due", "--dry-run").stdout
        XCTAssertTrue(dry.contains("would renew license \(id) of service 7 for 1 year"), dry)
        try licmgr("renew", "--due")
        XCTAssertTrue(try licmgr("history").stdout.contains("renewed license \(id) for 1 year until"))
    }

    /// BILLmanager 4 numbers periods per tariff: 1815 is tariff 2891's month, read from the catalogue.
    func testPerTariffPeriodIdsReadByTheCatalogue() throws {
        try work.writeConfig(url: sim.url, extra: "Price isp5 2891\nPeriod 1 1815 2891")
        let imported = try licmgr("import-tariffs").stdout
        XCTAssertTrue(imported.contains("1815=8.00 (1 month) 1816=80.00 (1 year) 1817=240.00 (lifetime)"), imported)
        XCTAssertTrue(imported.contains("1814=0.00 (trial)"), imported)
        try addService(7, ip: "10.0.0.7", addon: "panel=isp5", extra: ["--period", "1"])
        let dry = try licmgr("order", "7", "--dry-run").stdout
        XCTAssertTrue(dry.contains("would order ISPmanager 5 (2891), 1 month, for service 7 (10.0.0.7): 8.00 EUR"), dry)
        let id = try ordered(7)
        XCTAssertTrue(try licmgr("show", String(id)).stdout.contains("period   1 month"))
        XCTAssertEqual(try licmgr("list", "--json").jsonArray.first?["period"] as? Int, 1815)
    }

    func testUnusedLicensesShowTheirPeriodInWords() throws {
        try licmgr("import-tariffs")
        try sim.seed([["licname": "stray", "ip": "10.0.0.9", "pricelist": "2891", "period": "1816"]])
        try licmgr("sync")
        let unused = try licmgr("list", "--unused").stdout
        XCTAssertTrue(unused.contains("  1 year  "), unused)
    }

    func testServiceSetPeriodSaysWhatWillHappenAndWhen() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", extra: ["--period", "1"])
        let id = try ordered(7)
        let expires = try XCTUnwrap(try work.store().license(id)?.expires)
        let expected =
            "service 7: license \(id) will renew for 1 year (was 1 month) at its next renewal on "
            + "\(expires.adding(days: -1)), 100.00 EUR; nothing is sent to the remote before then"
        let calls = try sim.state().calls.count

        let dry = try licmgr("service", "set", "7", "--period", "12", "--now", "--dry-run")
        XCTAssertTrue(dry.stdout.contains(expected), dry.stdout)
        XCTAssertEqual(try work.store().service(7)?.period, 1, "a dry run records nothing")

        let json = try licmgr("service", "set", "7", "--period", "12", "--now", "--dry-run", "--json").jsonObject
        XCTAssertEqual(json["notes"] as? [String], [expected], "\(json)")

        let set = try licmgr("service", "set", "7", "--period", "12", "--now")
        XCTAssertTrue(set.stdout.contains(expected), set.stdout)
        XCTAssertEqual(try work.store().service(7)?.period, 12)
        let history = try licmgr("history", "--service", "7").stdout
        XCTAssertTrue(history.contains("period 1 (1 month) -> 12 (1 year)"), history)
        let changes = try sim.state().calls.dropFirst(calls).filter { $0.function != "soft" }
        XCTAssertEqual(changes.map(\.function), [], "a period change sends nothing before the renewal")

        let again = try licmgr("service", "set", "7", "--period", "12")
        XCTAssertTrue(again.stdout.contains("license \(id) still renews for 1 year"), again.stdout)
    }

    func testAPeriodNotSoldFallsBackOrIsRefused() throws {
        try work.writeConfig(url: sim.url, extra: "Price isp5 2891\nPeriod 12 1818 2891")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", extra: ["--period", "1"])
        let fallback = try licmgr("service", "set", "7", "--period", "6")
        XCTAssertTrue(
            fallback.stdout.contains(
                "addon panel has no license yet; one ordered for it is bought for 1 month, 10.00 EUR "
                    + "(tariff 55227 does not sell period 6: the shortest period it sells is bought)"),
            fallback.stdout)

        try addService(8, ip: "10.0.0.8", addon: "panel=isp5", extra: ["--period", "1"])
        // The renewal would be refused for the Period line that maps 12 to an unsold period:
        // the change is refused the same way, naming the line, and nothing is recorded.
        let refused = try licmgr("service", "set", "8", "--period", "12", expect: 78)
        XCTAssertTrue(
            refused.stderr.contains("Period 12 1818 2891: tariff 2891 sells no period 1818"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(work.configPath), refused.stderr)
        XCTAssertEqual(try work.store().service(8)?.period, 1, "nothing is recorded")
        try licmgr("service", "set", "8", "--period", "12", "--now", "--dry-run", expect: 78)
    }

    func testAPeriodChangeOnALifetimeOrSuspendedLicenseSaysSo() throws {
        try addService(7, ip: "10.0.0.7", extra: ["--period", "1"])
        try addService(8, ip: "10.0.0.8", extra: ["--period", "1"])
        let ids = try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "0",
                "expiredate": today.adding(months: 1).description,
            ],
            [
                "licname": "Item #8 addon vps8", "ip": "10.0.0.8", "pricelist": "55227", "period": "1",
                "expiredate": today.adding(days: 20).description,
            ],
        ])
        try licmgr("fixchilds")
        let lifetime = try licmgr("service", "set", "7", "--period", "12").stdout
        XCTAssertTrue(
            lifetime.contains("license \(ids[0]) is not renewed (it is a lifetime license)"), lifetime)
        try licmgr("service", "suspend", "8")
        let suspended = try licmgr("service", "set", "8", "--period", "12").stdout
        XCTAssertTrue(
            suspended.contains(
                "license \(ids[1]) will renew for 1 year (was 1 month) at its next renewal on "
                    + "\(today.adding(days: 19)) (renewals wait while service 8 is suspended)"), suspended)
    }
}
