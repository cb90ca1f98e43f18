import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Money in plain sight: the run record, the balance, `status`, dry-run totals and refusals
/// for lack of funds, through the binary against the simulator.
final class MoneyAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    // MARK: - The run record

    func testEveryRemoteRunIsRecordedFailedOrNotButNotDryRuns() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7", "--dry-run")
        try licmgr("checkevent")
        var runs = try work.store().lastRuns()
        XCTAssertEqual(Set(runs.keys), ["checkevent"], "a dry run and service add are not recorded")
        XCTAssertEqual(runs["checkevent"]?.exitCode, 0)
        XCTAssertEqual(runs["checkevent"]?.counts["ordered"], 1)
        sim.stop()
        try licmgr("checkevent", expect: 69)
        runs = try work.store().lastRuns()
        XCTAssertEqual(runs["checkevent"]?.exitCode, 69)
        XCTAssertEqual(runs["checkevent"]?.counts, [:])
        XCTAssertEqual(try work.store().lastSuccessfulRun(of: "checkevent")?.counts["ordered"], 1)
    }

    func testParkingAndDeletingUnusedLicensesAreRuns() throws {
        let ids = try sim.seed([
            ["licname": "spare", "ip": "10.0.0.8", "pricelist": "55227"],
            ["licname": "spare", "ip": "10.0.0.9", "pricelist": "55227"],
        ])
        try licmgr("sync")
        try licmgr("park", String(ids[0]))
        try licmgr("delete", String(ids[1]), "--dry-run")
        try licmgr("delete", String(ids[1]), "--yes")
        let runs = try work.store().lastRuns()
        XCTAssertEqual(runs["park"]?.counts["parked"], 1, "\(runs)")
        XCTAssertEqual(runs["delete"]?.counts["deleted"], 1, "\(runs)")
    }

    func testARunHeldOffByTheLockIsNotRecorded() throws {
        let lock = try RunLock(path: work.directory.appendingPathComponent("licmgr.db.lock").path)
        try licmgr("checkevent", expect: 75)
        withExtendedLifetime(lock) {}
        XCTAssertEqual(try work.store().lastRuns().count, 0)
    }

    // MARK: - The balance

    func testCheckeventReadsTheBalanceHourlyAndSaysNothingOfIt() throws {
        try sim.setBalance("42.10")
        let run = try licmgr("checkevent")
        XCTAssertEqual(run.stdout + run.stderr, "", "cron mails what is printed")
        XCTAssertEqual(try work.store().balance()?.balance, AccountBalance(amount: 421_000, currency: "EUR"))
        try sim.setBalance("1.00")
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("subaccount").count, 1, "at most hourly")
        XCTAssertEqual(try work.store().balance()?.balance.amount, 421_000)
    }

    func testABalanceThatCannotBeReadIsAWarningUnderVerboseOnly() throws {
        try sim.fault("subaccount", "refuse", times: 2, type: "missed", message: "Unknown function")
        let quiet = try licmgr("checkevent")
        XCTAssertEqual(quiet.stderr, "")
        // The hour is up as far as the record knows: the next run asks again.
        try work.store().db.run("UPDATE balance SET asked_at = '2000-01-01 00:00:00'")
        let verbose = try licmgr("checkevent", "-v")
        XCTAssertTrue(verbose.stderr.contains("warning: the account balance could not be read"), verbose.stderr)
        XCTAssertNil(try work.store().balance())
    }

    // MARK: - Dry-run totals and money in JSON

    func testEveryDryRunEndsWithItsTotal() throws {
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2", addon: "panel=Pro")
        let order = try licmgr("order", "1", "2", "--dry-run")
        XCTAssertEqual(order.stdout.split(separator: "\n").last, "total: 28.00 EUR", order.stdout)
        let json = try licmgr("order", "1", "2", "--dry-run", "--json")
        XCTAssertTrue(json.stdout.contains("\"cost\":28.00,"), json.stdout)
        XCTAssertEqual(json.jsonObject["currency"] as? String, "EUR")
        let costs = (json.jsonObject["items"] as? [[String: Any]] ?? []).compactMap { $0["cost"] as? Double }
        XCTAssertEqual(costs.sorted(), [10, 18])
        for command in ["checkevent", "fixchilds"] {
            let run = try licmgr(command, "--dry-run")
            XCTAssertEqual(run.stdout.split(separator: "\n").last, "total: 28.00 EUR", "\(command): \(run.stdout)")
        }
        try licmgr("checkevent")
        let nothing = try licmgr("checkevent", "--dry-run")
        XCTAssertEqual(nothing.stdout, "total: 0.00 EUR\n")
    }

    func testARenewalAndAResumeAfterALapseArePriced() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7", addon: "panel=Pro")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55228", "period": "1",
                "expiredate": today.adding(days: -1).description, "status": "3",
            ]
        ])
        try licmgr("service", "suspend", "7")
        try licmgr("fixchilds")
        let resume = try licmgr("service", "resume", "7", "--now", "--dry-run")
        XCTAssertTrue(resume.stdout.contains("to resume it"), resume.stdout)
        XCTAssertTrue(resume.stdout.contains("would resume license"), resume.stdout)
        XCTAssertEqual(resume.stdout.split(separator: "\n").last, "total: 18.00 EUR", resume.stdout)
        try licmgr("service", "resume", "7")
        let renew = try licmgr("renew", "7", "--dry-run", "--json").jsonObject
        XCTAssertEqual(renew["cost"] as? Double, 18)
    }

    func testWithoutTheCatalogueTheTotalIsUnknown() throws {
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("order", "7", "--dry-run")
        XCTAssertTrue(
            run.stdout.hasSuffix("total: unknown (1 step(s) without a known price; run 'licmgr import-tariffs')\n"),
            run.stdout)
        let json = try licmgr("order", "7", "--dry-run", "--json").jsonObject
        XCTAssertTrue(json["cost"] is NSNull, "\(json)")
        XCTAssertTrue(json["currency"] is NSNull, "\(json)")
    }

    func testMoneyInJSONIsANumberWithACurrency() throws {
        try licmgr("import-tariffs")
        try sim.seed([["licname": "spare", "ip": "10.0.0.9", "pricelist": "55228", "period": "12"]])
        let orphan = (try licmgr("fixchilds", "--json").jsonObject["orphans"] as? [[String: Any]])?.first
        XCTAssertEqual(orphan?["monthly_cost"] as? Double, 15)
        XCTAssertEqual(orphan?["currency"] as? String, "EUR")
        let tariffs = try licmgr("import-tariffs", "--dry-run", "--json").jsonObject["tariffs"] as? [[String: Any]]
        let lite = tariffs?.first { $0["id"] as? Int == 55227 }
        XCTAssertEqual((lite?["periods"] as? [[String: Any]])?.first { $0["id"] as? Int == 1 }?["cost"] as? Double, 10)
        XCTAssertEqual(lite?["currency"] as? String, "EUR")
    }

    // MARK: - Refused for lack of funds

    func testARenewalRefusedForLackOfFundsSaysTheBalanceAndWhatItNeeds() throws {
        try licmgr("import-tariffs")
        try dueLicense()
        try sim.setBalance("3.00")
        // A refusal that says what the account has (`funds`) outranks the balance last read.
        let said = sim.speaks("funds")
        let cron = try licmgr("checkevent", expect: 1)
        let unread = said ? "balance 3.00 EUR as the refusal says" : "balance not read yet (checkevent reads it hourly)"
        XCTAssertTrue(cron.stderr.contains("refused, insufficient funds: \(unread), needs 10.00 EUR"), cron.stderr)
        let byHand = try licmgr("renew", "7", expect: 1)
        let line = byHand.stderr.split(separator: "\n").first { $0.contains("insufficient funds") } ?? ""
        XCTAssertTrue(line.hasPrefix("licmgr: error: renew license "), String(line))
        let read = said ? "balance 3.00 EUR as the refusal says" : "balance 3.00 EUR as last read at "
        XCTAssertTrue(line.contains(": refused, insufficient funds: \(read)"), String(line))
        XCTAssertTrue(line.contains(", needs 10.00 EUR (service.prolong refused: insufficient funds"), String(line))
        XCTAssertEqual(try sim.state().calls("service.prolong").filter { $0.result == "ok" }.count, 0)
    }

    // MARK: - status

    func testStatusShowsHealthAndMoneyFromTheDatabaseAlone() throws {
        try licmgr("import-tariffs")
        try dueLicense()
        try addService(8, ip: "10.0.0.8", addon: "panel=Pro")
        try sim.seed([["licname": "spare", "ip": "10.0.0.9", "pricelist": "55228", "period": "12"]])
        try sim.setBalance("100.00")
        try licmgr("checkevent")
        sim.stop()
        let text = try licmgr("status", "-q")
        for expected in [
            "last runs (UTC):", "checkevent", "ordered 1", "renewed 1", "in doubt:         none",
            "due in 30 days:   2 license(s), 28.00 EUR", "spent in 30 days: 28.00 EUR",
            "unused:           1 unused license, 15.00 EUR a month", "free pool:        empty", "balance:          ",
        ] {
            XCTAssertTrue(text.stdout.contains(expected), "\(expected)\n\(text.stdout)")
        }
        let json = try licmgr("status", "--json").jsonObject
        let checkevent = (json["last_runs"] as? [String: Any])?["checkevent"] as? [String: Any]
        XCTAssertEqual(checkevent?["exit_code"] as? Int, 0)
        XCTAssertEqual((checkevent?["counts"] as? [String: Int])?["ordered"], 1)
        XCTAssertEqual(json["in_doubt"] as? Int, 0)
        XCTAssertEqual(json["spent_30_days"] as? Double, 28)
        XCTAssertEqual((json["unused"] as? [String: Any])?["monthly_cost"] as? Double, 15)
        // What was bought and renewed today for a month comes round again within 30 days.
        XCTAssertEqual((json["due_30_days"] as? [String: Any])?["count"] as? Int, 2)
        XCTAssertEqual((json["due_30_days"] as? [String: Any])?["cost"] as? Double, 28)
        XCTAssertEqual((json["balance"] as? [String: Any])?["amount"] as? Double, 72)
        XCTAssertEqual(json["currency"] as? String, "EUR")
        XCTAssertEqual(json["warnings"] as? [String], [])
        XCTAssertEqual((json["free_pool"] as? [Any])?.count, 0)
    }

    func testStatusShowsWhenEachPooledLicenseBecomesReusable() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        // A year's license: one of a month expires before its month of rest ends.
        try addService(7, ip: "10.0.0.7", extra: ["--package", "12", "--period", "12"])
        try licmgr("order", "7")
        try licmgr("service", "close", "7", "--now")
        try licmgr("sync")
        let reusable = today.adding(months: 1).adding(days: 1).description
        let pool = try licmgr("status", "--json").jsonObject["free_pool"] as? [[String: Any]]
        XCTAssertEqual(pool?.count, 1)
        XCTAssertEqual(pool?.first?["reusable_from"] as? String, reusable)
        let text = try licmgr("status").stdout
        XCTAssertTrue(text.contains("free pool:        1 license(s)"), text)
        XCTAssertTrue(text.contains("reusable from \(reusable)"), text)
    }

    func testStatusWarnsWhenTheBalanceWillNotLastTheWeek() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": today.adding(days: 5).description,
            ]
        ])
        try sim.setBalance("3.00")
        try licmgr("checkevent")
        let text = try licmgr("status")
        XCTAssertTrue(text.stdout.contains("due in 30 days:   1 license(s), 10.00 EUR"), text.stdout)
        XCTAssertTrue(
            text.stdout.contains("warning: the balance, 3.00 EUR as read at "), text.stdout)
        XCTAssertTrue(text.stdout.contains("will not cover the renewals of the next 7 days: 10.00 EUR"), text.stdout)
        let check = try licmgr("status", "--check")
        XCTAssertTrue(check.stdout.hasPrefix("OK: the last checkevent succeeded at "), check.stdout)
        XCTAssertEqual(check.stdout.split(separator: "\n").count, 1)
    }

    func testStatusWithoutTheCatalogueSaysCostsAreUnknown() throws {
        try dueLicense()
        try sim.seed([["licname": "spare", "ip": "10.0.0.9", "pricelist": "55228", "period": "12"]])
        try licmgr("checkevent")
        let text = try licmgr("status")
        XCTAssertTrue(
            text.stdout.contains("1 unused license (prices unknown: run 'licmgr import-tariffs')"), text.stdout)
        XCTAssertTrue(text.stdout.contains("spent in 30 days: unknown (run import-tariffs)"), text.stdout)
        let json = try licmgr("status", "--json").jsonObject
        XCTAssertTrue((json["unused"] as? [String: Any])?["monthly_cost"] is NSNull, "\(json)")
        XCTAssertTrue(json["spent_30_days"] is NSNull, "\(json)")
        XCTAssertTrue((json["due_30_days"] as? [String: Any])?["cost"] is NSNull, "\(json)")
        XCTAssertTrue(json["currency"] is NSNull || json["currency"] as? String == "EUR", "\(json)")
    }

    func testStatusCheckFailsInOneLineWhenSomethingNeedsAPerson() throws {
        let never = try licmgr("status", "--check", "-q", expect: 1)
        XCTAssertEqual(never.stdout, "FAIL: no checkevent has succeeded yet\n")
        try licmgr("checkevent")
        try licmgr("status", "--check")
        XCTAssertEqual(try licmgr("status", "--check", "--json").jsonObject["ok"] as? Bool, true)
        sim.stop()
        try licmgr("checkevent", expect: 69)
        let failed = try licmgr("status", "--check", expect: 1)
        XCTAssertTrue(failed.stdout.hasPrefix("FAIL: the last checkevent, at "), failed.stdout)
        XCTAssertTrue(failed.stdout.contains("failed with exit 69"), failed.stdout)
        XCTAssertEqual(failed.stdout.split(separator: "\n").count, 1)
        let json = try licmgr("status", "--check", "--json", expect: 1).jsonObject
        XCTAssertEqual(json["ok"] as? Bool, false)
        XCTAssertEqual((json["problems"] as? [String])?.count, 1)
    }

    func testStatusCheckFailsWhileRenewalsAreHeldForFunds() throws {
        try licmgr("import-tariffs")
        try dueLicense()
        try sim.setBalance("3.00")
        try licmgr("checkevent", expect: 1)
        // Funds arrive; until a run renews, the renewal is still held.
        try sim.setBalance("100.00")
        let held = try licmgr("status", "--check", expect: 1)
        XCTAssertTrue(held.stdout.contains("renewals held for lack of funds: license "), held.stdout)
        try licmgr("checkevent")
        try licmgr("status", "--check")
    }

    func testStatusCheckFailsWhileSpendLimitHoldsSteps() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit 15")
        try licmgr("import-tariffs")
        for id in 1...2 { try addService(id, ip: "10.0.0.\(id)") }
        try licmgr("checkevent", expect: 75)
        let held = try licmgr("status", "--check", expect: 1)
        XCTAssertTrue(held.stdout.contains("1 step(s) held by SpendLimit in the last checkevent"), held.stdout)
        XCTAssertEqual(held.stdout.split(separator: "\n").count, 1)
        let json = try licmgr("status", "--json").jsonObject
        let counts = ((json["last_runs"] as? [String: Any])?["checkevent"] as? [String: Any])?["counts"]
        XCTAssertEqual((counts as? [String: Int])?["held"], 1)
    }

    func testAServiceChangeCarriedNowIsARunOfItsOwn() throws {
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        try licmgr("order", "7", "8")
        try licmgr("service", "suspend", "8")
        try licmgr("service", "suspend", "7", "--now")
        try licmgr("service", "resume", "7", "--now", "--dry-run")
        let runs = try work.store().lastRuns()
        XCTAssertEqual(runs["service suspend"]?.counts["suspended"], 1, "only the run given --now")
        XCTAssertNil(runs["service resume"], "a dry run is not recorded")
        try licmgr("service", "resume", "7", "--now")
        XCTAssertEqual(try work.store().lastRuns()["service resume"]?.counts["resumed"], 1)
    }
}
