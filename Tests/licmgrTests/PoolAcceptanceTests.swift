import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// The free pool in plain sight: when each parked license becomes reusable, why a run buys
/// instead of reusing, and a warning before a step that restarts a parked license's month.
final class PoolAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
    static let reuse = "Option ReUseLicense\nReusePrice 12"

    /// A license parked on the remote whose IP last changed on `changed`.
    func seedFree(changed: Day, tariff: String = "55227", expires: Day? = nil) throws -> Int {
        try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "free.lic", "ip": "0.0.0.0", "pricelist": tariff, "status": "3",
                    "expiredate": (expires ?? today.adding(months: 3)).description,
                    "ip_change_date": changed.description, "lickey_change_date": today.adding(months: -6).description,
                ]
            ]).first)
    }

    func testListFreeSaysWhenEachParkedLicenseBecomesReusable() throws {
        let rested = try seedFree(changed: today.adding(months: -2))
        let recent = try seedFree(changed: today.adding(days: -3))
        let lapsing = try seedFree(changed: today.adding(days: -3), expires: today.adding(days: 10))
        try licmgr("sync")
        let rows = try licmgr("list", "--free", "--json").jsonArray
        let byID = Dictionary(uniqueKeysWithValues: rows.map { ($0["id"] as? Int ?? 0, $0) })
        XCTAssertEqual(byID.mapValues { $0["reusable"] as? Bool }, [rested: true, recent: false, lapsing: false])
        XCTAssertEqual(byID[rested]?["reusable_from"] as? NSNull, NSNull(), "\(rows)")
        let from = today.adding(days: -3).adding(months: 1).adding(days: 1).description
        XCTAssertEqual(byID[recent]?["reusable_from"] as? String, from, "\(rows)")
        XCTAssertEqual(byID[recent]?["not_reusable"] as? NSNull, NSNull())
        XCTAssertEqual(byID[lapsing]?["reusable_from"] as? NSNull, NSNull())
        XCTAssertTrue((byID[lapsing]?["not_reusable"] as? String)?.contains("before its month of rest ends") == true)
        let text = try licmgr("list", "--free").stdout
        XCTAssertTrue(text.contains("REUSABLE"), text)
        let line = { (id: Int) in text.split(separator: "\n").first { $0.hasPrefix("\(id) ") }.map(String.init) ?? "" }
        XCTAssertTrue(line(rested).hasSuffix("now"), text)
        XCTAssertTrue(line(recent).hasSuffix("from \(from)"), text)
        XCTAssertTrue(line(lapsing).contains("no: it expires on"), text)
        XCTAssertNil(try licmgr("list", "--json").jsonArray.first?["reusable_from"], "only --free rows carry it")
        let show = try licmgr("show", String(recent)).stdout
        XCTAssertTrue(show.contains("reusable from \(from)"), show)
    }

    /// Parking moves the IP to 0.0.0.0: licmgr knows at once that the month of rest starts today.
    func testAParkedLicenseIsReusableAMonthAfterItWasParked() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse)
        try addService(7, ip: "10.0.0.7", extra: ["--package", "12", "--period", "12"])
        try licmgr("order", "7")
        try licmgr("service", "close", "7", "--now")
        let row = try XCTUnwrap(try licmgr("list", "--free", "--json").jsonArray.first)
        XCTAssertEqual(row["reusable_from"] as? String, today.adding(months: 1).adding(days: 1).description, "\(row)")
        // A month's license parked on its first day expires before its month of rest ends.
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        try licmgr("order", "8")
        try licmgr("service", "close", "8", "--now")
        let text = try licmgr("list", "--free").stdout
        XCTAssertTrue(
            text.contains("no: it expires on \(today.adding(months: 1)), before its month of rest ends"), text)
    }

    func testADryRunSaysWhyItBuysInsteadOfReusing() throws {
        try addService(5, ip: "10.0.0.5", extra: ["--package", "5"])
        let off = try licmgr("order", "5", "--dry-run").stdout
        XCTAssertTrue(off.contains("would order tariff 55227"), off)
        XCTAssertTrue(off.contains("not from the free pool: Option ReUseLicense is off"), off)

        try work.writeConfig(url: sim.url, extra: Self.reuse)
        let unlisted = try licmgr("order", "5", "--dry-run").stdout
        XCTAssertTrue(unlisted.contains("package 5 is not in a ReusePrice line"), unlisted)

        try addService(7, ip: "10.0.0.7", extra: ["--package", "12"])
        let empty = try licmgr("order", "7", "--dry-run").stdout
        XCTAssertTrue(empty.contains("no free license of tariff 55227"), empty)

        let resting = try seedFree(changed: today.adding(days: -3))
        let from = today.adding(days: -3).adding(months: 1).adding(days: 1)
        let waiting = try licmgr("order", "7", "--dry-run").stdout
        XCTAssertTrue(
            waiting.contains("free license \(resting) of tariff 55227 is reusable from \(from)"), waiting)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty, "a dry run buys nothing")
    }

    func testARealRunSaysWhyUnderVerboseAndInJSONNotes() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse)
        let resting = try seedFree(changed: today.adding(days: -3))
        try addService(7, ip: "10.0.0.7", extra: ["--package", "12"])
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        let quiet = try licmgr("order", "7")
        XCTAssertFalse(quiet.stdout.contains("free pool"), "said only under -v: \(quiet.stdout)")
        let verbose = try licmgr("order", "8", "-v").stdout
        XCTAssertTrue(
            verbose.contains(
                "service 8 addon panel: buying tariff 55227 (not from the free pool: free license "
                    + "\(resting) of tariff 55227 is reusable from"), verbose)
        try addService(9, ip: "10.0.0.9", extra: ["--package", "12"])
        let json = try licmgr("order", "9", "--json").jsonObject
        let notes = json["notes"] as? [String] ?? []
        XCTAssertTrue(notes.contains { $0.contains("not from the free pool") }, "\(json)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 3)
    }

    /// A resting license is viewed once for its dates: not again for each service a run buys
    /// for, nor in a later run, while the dates recorded say its month is not over.
    func testARestingLicenseIsViewedOnceForManyNeeds() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse)
        let resting = try seedFree(changed: today.adding(days: -3))
        for id in 1...4 { try addService(id, ip: "10.0.0.\(id)", extra: ["--package", "12"]) }
        try licmgr("checkevent")
        try addService(5, ip: "10.0.0.5", extra: ["--package", "12"])
        try licmgr("order", "5")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").count, 5)
        let views = state.calls("soft.edit").filter { $0.params["elid"] == String(resting) && $0.params["sok"] == nil }
        XCTAssertEqual(views.count, 1, "\(views.map(\.params))")
    }

    /// A tariff change is paid too: it says why no free license of the new tariff serves instead.
    func testATariffChangeSaysWhyTheFreePoolWasNotUsed() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let off = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "--dry-run").stdout
        XCTAssertTrue(
            off.contains(
                "would change license \(id) of service 7 to tariff 55228, 1 month (not from the free pool: "
                    + "Option UseExistingOnUpgrade is off)"), off)
        try work.writeConfig(url: sim.url, extra: "Option UseExistingOnUpgrade")
        let resting = try seedFree(changed: today.adding(days: -3), tariff: "55228")
        let waiting = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "--dry-run").stdout
        XCTAssertTrue(waiting.contains("free license \(resting) of tariff 55228 is reusable from"), waiting)
        let real = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "-v").stdout
        XCTAssertTrue(
            real.contains(
                "license \(id) of service 7: changing its tariff to 55228 (not from the free pool: free license"),
            real)
        XCTAssertEqual(try sim.state().calls("service.changepricelist").count, 1)
    }

    /// A license of the new tariff already on the service's IP, bought by hand: the vendor would
    /// refuse the tariff change for good, so that license serves and the old one goes.
    func testALicenseOfTheNewTariffOnTheIPServesATariffChange() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let old = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let byHand = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "bought by hand", "ip": "10.0.0.7", "pricelist": "55228", "status": "2",
                    "expiredate": today.adding(months: 5).description,
                ]
            ]).first)
        try licmgr("sync")
        let plan = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "--dry-run").stdout
        XCTAssertTrue(
            plan.contains(
                "would attach license \(byHand) to service 7 in place of license \(old): license \(byHand) of "
                    + "tariff 55228 is on 10.0.0.7 already, serving no service"), plan)
        XCTAssertTrue(plan.contains("would delete license \(old) of service 7: replaced by license \(byHand)"), plan)
        let run = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "--json").jsonObject
        let actions = (run["items"] as? [[String: Any]] ?? []).map { "\($0["action"] ?? "")" }
        XCTAssertEqual(actions.sorted(), ["attached", "deleted"], "\(run)")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).filter(\.isLive).map(\.id), [byHand])
        let state = try sim.state()
        XCTAssertEqual(state.calls("service.changepricelist").count, 0)
        XCTAssertEqual(state.calls("soft.order.param").count, 1, "the first order only")
        // Its name follows the service's on the next pass, as any license attached does.
        try licmgr("checkevent")
        XCTAssertEqual(try work.store().license(byHand)?.name, "Item #7 addon vps7")
        let after = try licmgr("checkevent", "--dry-run").stdout
        XCTAssertFalse(after.contains("would"), after)
    }

    /// Parks go out together: every suspend, then every rename, not one license's two steps
    /// after another's (500 parks at 50 ms took a minute one by one).
    func testClosedServicesAreParkedTogether() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse + "\nParallel 4")
        for id in 1...4 { try addService(id, ip: "10.0.0.\(id)", extra: ["--package", "12"]) }
        try licmgr("checkevent")
        let before = try sim.state().calls.count
        try licmgr("service", "close", "1", "2", "3", "4")
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["parked"] as? Int, 4, "\(run)")
        let changes = try sim.state().calls.dropFirst(before)
            .filter { ["soft.suspend", "soft.edit"].contains($0.function) }
            .filter { $0.function == "soft.suspend" || $0.params["sok"] != nil }.map(\.function)
        XCTAssertEqual(changes, Array(repeating: "soft.suspend", count: 4) + Array(repeating: "soft.edit", count: 4))
        XCTAssertEqual(try licmgr("list", "--free", "--json").jsonArray.count, 4)
        XCTAssertEqual(try work.store().openWorkflows().count, 0)
    }

    /// Takes from the pool go out together, a wave per step: every rename, then every new key,
    /// then every wake, not one license's three steps after another's (200 takes at 50 ms took
    /// 45 s one by one).
    func testTakesFromThePoolGoOutTogether() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse + "\nParallel 4")
        let free = try (1...4).map { _ in try seedFree(changed: today.adding(months: -2)) }
        for id in 1...4 { try addService(id, ip: "10.0.0.\(id)", extra: ["--package", "12"]) }
        let before = try sim.state().calls.count
        let run = try licmgr("order", "1", "2", "3", "4", "--json").jsonObject
        XCTAssertEqual(run["reused"] as? Int, 4, "\(run)")
        let state = try sim.state()
        let steps = state.calls.dropFirst(before).compactMap { call -> String? in
            switch call.function {
            case "soft.resume": return "wake"
            case "soft.edit" where call.params["clicked_button"] == "newkey": return "newkey"
            case "soft.edit" where call.params["sok"] != nil: return "rename"
            default: return nil
            }
        }
        XCTAssertEqual(steps, ["rename", "newkey", "wake"].flatMap { Array(repeating: $0, count: 4) })
        let store = try work.store()
        for id in 1...4 {
            let served = try store.licenses(serviceID: id).filter(\.isLive)
            XCTAssertEqual(served.count, 1, "service \(id): \(served)")
            XCTAssertTrue(free.contains(served.first?.id ?? 0), "service \(id): \(served)")
            let remote = state.licenses.first { $0["id"] == served.first.map { String($0.id) } }
            XCTAssertEqual(remote?["licname"], "Item #\(id) addon vps\(id)")
            XCTAssertEqual(remote?["status"], "2")
            XCTAssertEqual(served.first?.key, remote?["lickey"])
        }
        XCTAssertEqual(try store.openWorkflows().count, 0)
    }

    /// A list without change dates sends licmgr to view each pool candidate: the candidates a
    /// run may take are read `Parallel` at a time, not one after another. Seen by a failed
    /// read: the run stops on it, with the rest of its window already asked.
    func testPoolCandidatesAreReadTogether() throws {
        try work.writeConfig(url: sim.url, extra: Self.reuse + "\nParallel 4")
        for _ in 1...6 { _ = try seedFree(changed: today.adding(months: -2)) }
        for id in 1...6 { try addService(id, ip: "10.0.0.\(id)", extra: ["--package", "12"]) }
        try licmgr("sync")
        func views() throws -> Int {
            try sim.state().calls("soft.edit").filter { $0.params["sok"] == nil }.count
        }
        let before = try views()
        if sim.speaks("bm6-columns") {
            let run = try licmgr("order", "1", "2", "3", "4", "5", "6", "--json").jsonObject
            XCTAssertEqual(run["reused"] as? Int, 6, "\(run)")
            XCTAssertEqual(try views() - before, 0, "the list carries the change dates a view would give")
            return
        }
        try sim.fault("soft.edit", "refuse", type: "value", message: "not now")
        let failed = try licmgr("order", "1", "2", "3", "4", "5", "6", expect: 1)
        XCTAssertEqual(try views() - before, 4, failed.stderr)
        XCTAssertEqual(try sim.state().calls("soft.edit").filter { $0.params["sok"] != nil }.count, 0)

        let run = try licmgr("order", "1", "2", "3", "4", "5", "6", "--json").jsonObject
        XCTAssertEqual(run["reused"] as? Int, 6, "\(run)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    /// Upgrades that take free licenses of the new tariff go out together too, each a chain on
    /// its own license, and the licenses they replace go after them.
    func testUpgradesFromThePoolGoOutTogether() throws {
        try work.writeConfig(url: sim.url, extra: "Option UseExistingOnUpgrade\nParallel 4")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        try licmgr("checkevent")
        let free = try (1...3).map { _ in try seedFree(changed: today.adding(months: -2), tariff: "55228") }
        for id in 1...3 { try licmgr("service", "set", String(id), "--addon", "panel=Pro") }
        let before = try sim.state().calls.count
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["reused"] as? Int, 3, "\(run)")
        XCTAssertEqual(run["deleted"] as? Int, 3, "\(run)")
        let state = try sim.state()
        let steps = state.calls.dropFirst(before).compactMap { call -> String? in
            switch call.function {
            case "soft.resume": return "wake"
            case "soft.delete": return "delete"
            case "soft.edit" where call.params["clicked_button"] == "newkey": return "newkey"
            case "soft.edit" where call.params["sok"] != nil: return "rename"
            default: return nil
            }
        }
        XCTAssertEqual(steps, ["rename", "newkey", "wake", "delete"].flatMap { Array(repeating: $0, count: 3) })
        XCTAssertEqual(state.calls("service.changepricelist").count, 0)
        let store = try work.store()
        for id in 1...3 {
            let served = try store.licenses(serviceID: id).filter(\.isLive)
            XCTAssertEqual(served.map(\.pricelist), [55228], "service \(id): \(served)")
            XCTAssertTrue(free.contains(served.first?.id ?? 0), "service \(id): \(served)")
        }
        XCTAssertEqual(try store.openWorkflows().count, 0)
    }

    func testNewKeyOnAParkedLicenseWarnsThatItRestartsItsMonth() throws {
        let free = try seedFree(changed: today.adding(months: -2))
        try licmgr("sync")
        let from = today.adding(months: 1).adding(days: 1)
        let dry = try licmgr("newkey", String(free), "--dry-run")
        XCTAssertTrue(dry.stderr.contains("license \(free) is in the free pool"), dry.stderr)
        XCTAssertTrue(dry.stderr.contains("reusable from \(from) (instead of now)"), dry.stderr)
        let json = try licmgr("newkey", String(free), "--dry-run", "--json").jsonObject
        XCTAssertTrue((json["warnings"] as? [String])?.first?.contains("is in the free pool") == true, "\(json)")
        XCTAssertTrue(try sim.state().calls("soft.edit").filter { $0.params["clicked_button"] == "newkey" }.isEmpty)
        let run = try licmgr("newkey", String(free))
        XCTAssertTrue(run.stderr.contains("reusable from \(from)"), run.stderr)
        let row = try XCTUnwrap(try licmgr("list", "--free", "--json").jsonArray.first)
        XCTAssertEqual(row["reusable_from"] as? String, from.description, "the new key restarted the month")
    }

    /// A license that expires before any month of rest could end is not reusable before the new
    /// key nor after it: the warning says so, not that the key changes when it becomes reusable.
    func testNewKeyOnAParkedLicenseThatCannotBeReusedSaysItCannotEitherWay() throws {
        let expires = today.adding(days: 10)
        let free = try seedFree(changed: today.adding(days: -3), expires: expires)
        try licmgr("sync")
        let dry = try licmgr("newkey", String(free), "--dry-run")
        XCTAssertEqual(
            dry.stderrLessPagingWarning,
            "licmgr: warning: license \(free) is in the free pool: a new key restarts its month of rest, though it "
                + "cannot be reused either way: it expires on \(expires), before its month of rest ends\n")
    }

    func testNewKeyOnAServedLicenseSaysNothingOfThePool() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let run = try licmgr("newkey", String(id))
        XCTAssertEqual(run.stderr, "")
    }
}
