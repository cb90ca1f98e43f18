import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Renewal, following the service, the free pool and tariff changes, end to end.
final class LifecycleAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    /// A license on the remote for service `id`'s IP that `order` will attach.
    @discardableResult
    func attachedLicense(
        service id: Int, ip: String, expires: Day, tariff: String = "55227",
        extra: [String: Any] = [:]
    ) throws -> Int {
        var row: [String: Any] = [
            "licname": "Item #\(id) addon vps\(id)", "ip": ip, "pricelist": tariff, "period": "1",
            "expiredate": expires.description,
        ]
        row.merge(extra) { $1 }
        let license = try XCTUnwrap(try sim.seed([row]).first)
        try licmgr("order", String(id))
        XCTAssertEqual(try work.store().licenses(serviceID: id).map(\.id), [license])
        return license
    }

    /// A license parked in the free pool on the remote; `rested` when its IP and key last
    /// changed long enough ago for the vendor's reuse rule.
    @discardableResult
    func seedFreeLicense(tariff: String = "55227", rested: Bool = true, key: String? = nil) throws -> Int {
        var row: [String: Any] = [
            "licname": "free.lic", "ip": "0.0.0.0", "pricelist": tariff, "status": "3",
            "expiredate": today.adding(days: 20).description,
        ]
        if rested {
            row["ip_change_date"] = today.adding(months: -2).description
            row["lickey_change_date"] = today.adding(months: -2).description
        }
        row["lickey"] = key
        return try XCTUnwrap(try sim.seed([row]).first)
    }

    func remote(_ id: Int) throws -> [String: String] {
        try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(id) })
    }

    // MARK: - Renewal

    func testDueLicenseIsRenewedOncePerTerm() throws {
        try addService(7, ip: "10.0.0.7")
        let id = try attachedLicense(service: 7, ip: "10.0.0.7", expires: today.adding(days: 1))
        let first = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(first.jsonObject["renewed"] as? Int, 1, first.stdout)
        XCTAssertEqual(try remote(id)["expiredate"], today.adding(days: 1).adding(months: 1).description)
        try licmgr("renew", "--due")
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1, "two runs renew once")
        XCTAssertEqual(try sim.state().spent, "10.00")
    }

    func testListExpiringShowsWhatRenewsSoonSoonestFirst() throws {
        let ids = try sim.seed([
            [
                "licname": "later", "ip": "10.0.3.1", "pricelist": "55227",
                "expiredate": today.adding(days: 20).description,
            ],
            [
                "licname": "soon", "ip": "10.0.3.2", "pricelist": "55227",
                "expiredate": today.adding(days: 2).description,
            ],
            ["licname": "now", "ip": "10.0.3.3", "pricelist": "55227", "expiredate": today.description],
        ])
        try licmgr("sync")
        let listed = try licmgr("list", "--expiring", "7", "--json").jsonArray
        XCTAssertEqual(listed.map { $0["id"] as? Int }, [ids[2], ids[1]])
    }

    func testLicenseNotDueIsLeftAlone() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today.adding(days: 20))
        try licmgr("renew", "--due")
        XCTAssertTrue(try sim.state().calls("service.prolong").isEmpty)
    }

    func testSuspendedServicesDueLicenseIsNotRenewed() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today)
        try licmgr("service", "suspend", "7")
        let result = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(result.jsonObject["renewed"] as? Int, 0)
        XCTAssertTrue(try sim.state().calls("service.prolong").isEmpty)
    }

    func testLostRenewalAnswerIsSettledWithoutASecondRenewal() throws {
        try addService(7, ip: "10.0.0.7")
        let id = try attachedLicense(service: 7, ip: "10.0.0.7", expires: today.adding(days: 1))
        try sim.fault("service.prolong", "commit-drop")
        try licmgr("renew", "--due", expect: 75)
        let second = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(second.jsonObject["settled"] as? Int, 1, second.stdout)
        XCTAssertEqual(second.jsonObject["renewed"] as? Int, 0)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1)
        XCTAssertEqual(try work.store().license(id)?.expires, today.adding(days: 1).adding(months: 1))
    }

    func testTimedOutRenewalIsNotSentAgainWhileItMayStillApply() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today.adding(days: 1))
        try sim.fault("service.prolong", "noanswer", ms: 5000)
        try licmgr("renew", "--due", expect: 75)
        try licmgr("renew", "--due", expect: 75)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1)
        try work.writeConfig(url: sim.url, extra: "SettleAfter 0")
        let later = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(later.jsonObject["settled"] as? Int, 1, later.stdout)
        XCTAssertEqual(later.jsonObject["renewed"] as? Int, 1)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 2)
    }

    func testRefusedRenewalIsReportedAndNotRetried() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today, extra: ["noprolong": true])
        let first = try licmgr("renew", "--due", expect: 1)
        XCTAssertTrue(first.stderr.contains("100% discount"), first.stderr)
        let second = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(second.jsonObject["skipped"] as? Int, 1, second.stdout)
        XCTAssertEqual(try sim.state().calls("service.prolong").count, 1, "a refusal that cannot change is not retried")
    }

    func testRenewalRefusedForFundsIsRetried() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today)
        try sim.setBalance("1.00")
        try licmgr("renew", "--due", expect: 1)
        try sim.setBalance("100.00")
        let second = try licmgr("renew", "--due", "--json")
        XCTAssertEqual(second.jsonObject["renewed"] as? Int, 1, second.stdout)
    }

    func testRenewDryRunChangesNothing() throws {
        try addService(7, ip: "10.0.0.7")
        try attachedLicense(service: 7, ip: "10.0.0.7", expires: today)
        let result = try licmgr("renew", "7", "--dry-run")
        XCTAssertTrue(result.stdout.contains("would renew license"), result.stdout)
        XCTAssertTrue(try sim.state().calls("service.prolong").isEmpty)
    }

    // MARK: - Periods

    func testBillmanager4MappingBuysTheMappedPeriods() throws {
        try work.writeConfig(url: sim.url, extra: "Price ipmgr 2891\nPeriod 10 1815 2891\nPeriod ALL 1817 2891")
        try addService(7, ip: "10.0.0.7", addon: "ipmgr=on", extra: ["--period", "10"])
        try addService(8, ip: "10.0.0.8", addon: "ipmgr=on", extra: ["--period", "11"])
        try licmgr("order", "7", "8")
        let licenses = try sim.state().licenses
        XCTAssertEqual(licenses.first { $0["ip"] == "10.0.0.7" }?["period"], "1815")
        XCTAssertEqual(licenses.first { $0["ip"] == "10.0.0.8" }?["period"], "1817")
        XCTAssertEqual(Set(licenses.compactMap { $0["pricelist"] }), ["2891"])
    }

    func testSixMonthServiceBuysOneMonthLicenses() throws {
        try addService(7, ip: "10.0.0.7", extra: ["--period", "6"])
        try licmgr("order", "7")
        XCTAssertEqual(try sim.state().licenses.first?["period"], "1")
    }

    // MARK: - Following the service

    func testSuspendAndResumeNowFollowTheService() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try licmgr("service", "suspend", "7")
        XCTAssertEqual(try remote(id)["status"], "2", "without --now only the desired state changes")
        try licmgr("service", "suspend", "7", "--now")
        XCTAssertEqual(try remote(id)["status"], "3")
        try licmgr("service", "resume", "7", "--now")
        XCTAssertEqual(try remote(id)["status"], "2")
    }

    /// Licenses that lapsed while their services were suspended wake together when the
    /// services resume: every renewal, then every read back (and every resume a license
    /// still suspended needs), not each license's steps in turn.
    func testLapsedLicensesOfResumedServicesWakeTogether() throws {
        try work.writeConfig(url: sim.url, extra: "Parallel 3")
        for id in 1...3 {
            try addService(id, ip: "10.0.0.\(id)", extra: ["--status", "suspended"])
            try sim.seed([
                [
                    "licname": "Item #\(id) addon vps\(id)", "ip": "10.0.0.\(id)", "pricelist": "55227", "status": "3",
                    "expiredate": today.adding(days: -3).description,
                ]
            ])
        }
        try licmgr("fixchilds")
        for id in 1...3 { try licmgr("service", "resume", String(id)) }
        let before = try sim.state().calls.count
        let run = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(run["renewed"] as? Int, 3, "\(run)")
        XCTAssertEqual(run["resumed"] as? Int, 3, "\(run)")
        let steps = try sim.state().calls.dropFirst(before).compactMap { call -> String? in
            if call.function == "soft.edit" && call.params["sok"] == nil { return "read" }
            return ["service.prolong": "renew", "soft.resume": "wake"][call.function]
        }
        // This remote wakes a license it renews: read back, it needs no resume.
        XCTAssertEqual(steps, ["renew", "renew", "renew", "read", "read", "read"])
        for license in try sim.state().licenses {
            XCTAssertEqual(license["status"], "2", "\(license)")
            XCTAssertEqual(license["expiredate"], today.adding(months: 1).description, "\(license)")
        }
    }

    func testIPAndNameChangesReachTheLicense() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try licmgr("service", "set", "7", "--ip", "10.0.0.70", "--name", "web7", "--now")
        let license = try remote(id)
        XCTAssertEqual(license["ip"], "10.0.0.70")
        XCTAssertEqual(license["licname"], "Item #7 addon web7")
    }

    func testCloseDeletesTheLicense() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try licmgr("service", "close", "7", "--now", "--dry-run")
        XCTAssertEqual(try remote(id)["status"], "2", "a dry run deletes nothing")
        XCTAssertEqual(try work.store().service(7)?.status, .active, "nor records the close")
        try licmgr("service", "close", "7", "--now")
        XCTAssertEqual(try remote(id)["status"], "4")
        XCTAssertEqual(try licmgr("service", "list", "--json").jsonArray.count, 0, "closed services are hidden")
        XCTAssertEqual(try licmgr("service", "list", "--all", "--json").jsonArray.count, 1)
    }

    func testCloseParksTheLicenseForAReusePackage() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        try addService(7, ip: "10.0.0.7", extra: ["--package", "12"])
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try licmgr("service", "close", "7", "--now")
        let license = try remote(id)
        XCTAssertEqual(license["licname"], "free.lic")
        XCTAssertEqual(license["ip"], "0.0.0.0")
        XCTAssertEqual(license["status"], "3")
        let free = try licmgr("list", "--free", "--json").jsonArray
        XCTAssertEqual(free.map { $0["id"] as? Int }, [id])
        XCTAssertEqual(free.first?["service_id"] as? NSNull, NSNull())
    }

    func testParkedLicenseIsReusedWithNoMoneySpent() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let ids = [try seedFreeLicense(key: "oldkey")]
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        let result = try licmgr("order", "8", "--json")
        XCTAssertEqual(result.jsonObject["reused"] as? Int, 1, result.stdout + result.stderr)
        let state = try sim.state()
        XCTAssertTrue(state.calls("soft.order.param").isEmpty)
        XCTAssertEqual(state.spent, "0.00")
        let license = try remote(ids[0])
        XCTAssertEqual(license["licname"], "Item #8 addon vps8")
        XCTAssertEqual(license["ip"], "10.0.0.8")
        XCTAssertEqual(license["status"], "2")
        XCTAssertNotEqual(license["lickey"], "oldkey")
        XCTAssertEqual(try work.store().licenses(serviceID: 8).map(\.id), ids)
    }

    func testRecentlyParkedLicenseIsNotReused() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        try seedFreeLicense(rested: false)
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        let result = try licmgr("order", "8", "--json")
        XCTAssertEqual(
            result.jsonObject["ordered"] as? Int, 1, "the vendor rule wants a month since the last IP change")
    }

    func testFailedReuseStepReturnsTheLicenseToThePoolAndTheServiceIsServedWithAWarning() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let ids = [try seedFreeLicense()]
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        try sim.fault("soft.resume", "refuse", type: "access", message: "resume is not allowed")
        let result = try licmgr("order", "8", "--json")
        let document = result.jsonObject
        XCTAssertEqual(document["ordered"] as? Int, 1, result.stdout)
        XCTAssertEqual(document["failed"] as? Int, 0, result.stdout)
        XCTAssertEqual((document["errors"] as? [Any])?.count, 0, result.stdout)
        let warnings = try XCTUnwrap(document["warnings"] as? [String])
        XCTAssertTrue(warnings.contains { $0.contains("resume is not allowed") }, "\(warnings)")
        XCTAssertTrue(
            warnings.contains { $0.contains("free license \(ids[0]) could not be reused") }, "\(warnings)")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1, "bought exactly once")
        let parked = try remote(ids[0])
        XCTAssertEqual(parked["licname"], "free.lic")
        XCTAssertEqual(parked["ip"], "0.0.0.0")
        XCTAssertEqual(try licmgr("list", "--free", "--json").jsonArray.map { $0["id"] as? Int }, [ids[0]])
        let served = try work.store().licenses(serviceID: 8).filter(\.isLive).map(\.id)
        XCTAssertEqual(served.count, 1)
        XCTAssertFalse(served.contains(ids[0]))
    }

    func testRolledBackReuseIsNamedOnStderrInText() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let free = try seedFreeLicense()
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        try sim.fault("soft.resume", "refuse", message: "resume refused")
        let result = try licmgr("order", "8")
        XCTAssertTrue(result.stdout.contains("ordered license"), result.stdout)
        XCTAssertTrue(result.stderr.contains("warning: resume license \(free)"), result.stderr)
        XCTAssertTrue(
            result.stderr.contains("resume refused [value (soft.resume)]; a new license was bought instead"),
            result.stderr)
        XCTAssertFalse(result.stderr.contains("error:"), result.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testRolledBackReuseWhoseOrderFailsIsAFailure() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let free = try seedFreeLicense()
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        try sim.fault("soft.resume", "refuse", message: "resume is not allowed")
        try sim.fault("soft.order.param", "refuse", message: "no money")
        let result = try licmgr("order", "8", "--json", expect: 1)
        let messages = (result.jsonObject["errors"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        XCTAssertTrue(messages.contains { $0.contains("no money") }, result.stdout)
        XCTAssertTrue(
            messages.contains { $0.contains("resume is not allowed") }, "the rollback is not excused: \(result.stdout)")
        XCTAssertEqual(try work.store().licenses(serviceID: 8).filter(\.isLive).count, 0)
        XCTAssertEqual(try remote(free)["licname"], "free.lic")
    }

    func testOrderAndResumeOfAClosedServiceSayItCannotBeReopened() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("service", "close", "7")
        let expected = "service 7 is closed; closed services cannot be reopened: add a new service"
        for arguments in [
            ["order", "7"], ["service", "resume", "7"], ["service", "resume", "7", "--now", "--dry-run"],
        ] {
            let result = try work.licmgr(arguments)
            XCTAssertEqual(result.status, 65, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr, "licmgr: error: \(expected)\n", "\(arguments)")
            XCTAssertFalse(result.stderr.contains("resume it first"))
        }
        let json = try licmgr("order", "7", "--json", expect: 65)
        XCTAssertEqual((json.jsonObject["error"] as? [String: Any])?["message"] as? String, expected)
        XCTAssertTrue(try sim.state().calls.isEmpty, "nothing was sent")
    }

    // MARK: - Tariff changes

    func testTariffChangeChangesTheLicensesTariff() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now")
        XCTAssertEqual(try remote(id)["pricelist"], "55228")
        XCTAssertEqual(try sim.state().calls("service.changepricelist").count, 1)
        XCTAssertEqual(try work.store().license(id)?.pricelist, 55228)
    }

    func testUpgradeTakesAFreeLicenseOfTheNewTariff() throws {
        try work.writeConfig(url: sim.url, extra: "Option UseExistingOnUpgrade")
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let old = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let free = [try seedFreeLicense(tariff: "55228")]
        try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now")
        XCTAssertTrue(try sim.state().calls("service.changepricelist").isEmpty)
        XCTAssertEqual(try remote(free[0])["ip"], "10.0.0.7")
        XCTAssertEqual(try remote(old)["status"], "4", "the old license is let go")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).filter(\.isLive).map(\.id), free)
    }

    func testUpgradeWhoseFreeLicenseIsRefusedChangesTheTariffWithAWarning() throws {
        try work.writeConfig(url: sim.url, extra: "Option UseExistingOnUpgrade")
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let old = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let free = try seedFreeLicense(tariff: "55228")
        try sim.fault("soft.resume", "refuse", message: "resume refused")
        let result = try licmgr("service", "set", "7", "--addon", "panel=Pro", "--now", "--json")
        XCTAssertEqual(result.jsonObject["retariffed"] as? Int, 1, result.stdout)
        XCTAssertEqual((result.jsonObject["errors"] as? [Any])?.count, 0, result.stdout)
        let warnings = result.jsonObject["warnings"] as? [String] ?? []
        XCTAssertTrue(warnings.contains { $0.contains("resume refused") }, "\(warnings)")
        XCTAssertEqual(try sim.state().calls("service.changepricelist").count, 1)
        XCTAssertEqual(try remote(free)["licname"], "free.lic", "back in the pool")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).filter(\.isLive).map(\.id), [old])
    }

    // MARK: - Keys

    func testNewKeyReplacesTheKey() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let before = try remote(id)["lickey"]
        try licmgr("newkey", String(id))
        let after = try remote(id)["lickey"]
        XCTAssertNotEqual(before, after)
        XCTAssertEqual(try licmgr("show", String(id), "--json").jsonObject["key"] as? String, after)
    }
}

/// CloudLinux and other third-party licenses go through `softexternal.*`.
final class ProductLineAcceptanceTests: AcceptanceTestCase {
    func testCloudLinuxIsOrderedAndFollowedThroughItsOwnFunctions() throws {
        try addService(7, ip: "10.0.0.7", addon: "cloudlinux=9203")
        try licmgr("order", "7")
        var state = try sim.state()
        XCTAssertEqual(state.calls("softexternal.order.param").count, 1)
        XCTAssertTrue(state.calls("soft.order.param").isEmpty)
        let id = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        XCTAssertEqual(try work.store().license(id)?.line, .softexternal)

        try licmgr("checkevent")
        try licmgr("service", "suspend", "7", "--now")
        state = try sim.state()
        XCTAssertEqual(state.calls("softexternal.order.param").count, 1, "the license is found in its own list")
        XCTAssertEqual(state.calls("softexternal.suspend").count, 1)
        XCTAssertEqual(state.licenses.first { $0["id"] == String(id) }?["status"], "3")
    }

    func testAnAccountWithoutThirdPartyProductsCostsOneListCall() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("checkevent")
        let before = try sim.state().calls.count
        try licmgr("checkevent")
        // Where p_elems counts the page, the one list is read to an empty page, then again.
        XCTAssertEqual(
            try sim.state().calls.dropFirst(before).map(\.function),
            Array(repeating: "soft", count: sim.speaks("paging") ? 4 : 1))
    }
}
