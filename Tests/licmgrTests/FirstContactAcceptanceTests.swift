import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `config check --remote` as the probe a provider runs before the first order: it reads
/// everything licmgr will read, changes nothing on the remote, and exits non-zero only when
/// something money depends on cannot be read. Each check runs in the dialect of the test run
/// and with every trait the real server is believed to have (XCTest on Linux runs no inherited
/// test methods: each class names its own).
class FirstContactProbeCase: AcceptanceTestCase {
    /// Functions that only read; the probe sends nothing else.
    static let reads: Set = [
        "subaccount", "auth", "pricelist.export", "soft", "softexternal", "platform", "soft.edit", "softexternal.edit",
        "platform.edit",
    ]

    func assertOnlyReads(_ state: SimServer.State, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(state.calls.isEmpty, file: file, line: line)
        for call in state.calls {
            XCTAssertTrue(Self.reads.contains(call.function), "\(call.function) sent", file: file, line: line)
            XCTAssertNil(call.params["sok"], "\(call.function) \(call.params)", file: file, line: line)
            XCTAssertNil(call.params["clicked_button"], "\(call.function) \(call.params)", file: file, line: line)
        }
    }

    private func seedAccount() throws -> [Int] {
        try sim.seed([
            ["licname": "vps1", "ip": "10.0.0.1", "pricelist": "55227"],
            ["licname": "vps2", "ip": "10.0.0.2", "pricelist": "55228", "period": "12"],
            ["licname": "cl3", "ip": "10.0.0.3", "pricelist": "9203"],
        ])
    }

    func checkTheProbeReadsEveryFamilyTheBalanceAndALicenseAndChangesNothing() throws {
        let ids = try seedAccount()
        try work.writeConfig(url: sim.url, extra: "Price cloudlinux 9203")
        let before = try sim.state()
        let run = try licmgr("config", "check", "--remote", "--json")
        let document = run.jsonObject
        XCTAssertEqual(document["ok"] as? Bool, true, "\(document)")
        XCTAssertEqual(document["unreadable"] as? [String], [])
        XCTAssertEqual(document["balance"] as? Double, 1000)
        XCTAssertEqual(document["currency"] as? String, "EUR")
        XCTAssertEqual(document["sessions"] as? Bool, true, "func=auth gave a session the remote took")
        XCTAssertEqual(document["viewed"] as? Int, ids[0])
        XCTAssertEqual(document["licenses_seen"] as? Int, 3)
        XCTAssertEqual(document["families"] as? [String], ["soft", "softexternal", "platform"])
        XCTAssertEqual(document["tariffs"] as? Int, document["tariffs_checked"] as? Int)
        let understood = document["understood"] as? [String] ?? []
        XCTAssertTrue(understood.contains("login: authinfo accepted"), "\(understood)")
        XCTAssertTrue(understood.contains("balance: 1000.00 EUR"), "\(understood)")
        XCTAssertTrue(understood.contains { $0.hasPrefix("license \(ids[0]) viewed (soft.edit)") }, "\(understood)")

        let after = try sim.state()
        assertOnlyReads(after)
        XCTAssertEqual(
            Set(after.calls.map(\.function)), Self.reads.subtracting(["softexternal.edit", "platform.edit"]))
        XCTAssertEqual(after.licenses, before.licenses, "no license changed")
        XCTAssertEqual(after.balance, before.balance)
        XCTAssertEqual(after.spent, "0.00")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.databasePath), "a probe stores nothing")

        let text = try licmgr("config", "check", "--remote")
        XCTAssertTrue(text.stdout.contains("remote          login: authinfo accepted"), text.stdout)
        XCTAssertTrue(text.stdout.contains("remote          balance: 1000.00 EUR"), text.stdout)
        XCTAssertFalse(text.stderr.contains("error"), text.stderr)
    }

    func checkARemoteThatRefusesSessionsIsAWarningNotAFailure() throws {
        try sim.fault("auth", "refuse", type: "missed", message: "Unknown function")
        let run = try licmgr("config", "check", "--remote")
        XCTAssertTrue(
            run.stderr.contains(
                "licmgr: warning: remote: sessions: func=auth refused (missed: Unknown function); authinfo is sent on every call"
            ), run.stderr)
        assertOnlyReads(try sim.state())
    }

    func checkABalanceThatCannotBeReadExits76NamingIt() throws {
        try sim.fault("subaccount", "refuse", type: "access", message: "not for resellers")
        let run = try licmgr("config", "check", "--remote", expect: 76)
        XCTAssertTrue(
            run.stderr.contains("licmgr: error: remote: balance: subaccount refused (access: not for resellers)"),
            run.stderr)
        try sim.fault("subaccount", "refuse", type: "access", message: "not for resellers")
        let document = try licmgr("config", "check", "--remote", "--json", expect: 76).jsonObject
        XCTAssertEqual(document["ok"] as? Bool, false)
        XCTAssertEqual(document["unreadable"] as? [String], ["balance: subaccount refused (access: not for resellers)"])
        XCTAssertTrue(document["balance"] is NSNull)
        assertOnlyReads(try sim.state())
    }

    func checkAnUnreachableRemoteExits69() throws {
        let url = sim.url
        sim.stop()
        try work.writeConfig(url: url)
        let run = try licmgr("config", "check", "--remote", expect: 69)
        XCTAssertTrue(run.stderr.contains("cannot reach"), run.stderr)
    }
}

final class FirstContactAcceptanceTests: FirstContactProbeCase {
    func testTheProbeReadsEveryFamilyTheBalanceAndALicenseAndChangesNothing() throws {
        try checkTheProbeReadsEveryFamilyTheBalanceAndALicenseAndChangesNothing()
    }
    func testARemoteThatRefusesSessionsIsAWarningNotAFailure() throws {
        try checkARemoteThatRefusesSessionsIsAWarningNotAFailure()
    }
    func testABalanceThatCannotBeReadExits76NamingIt() throws { try checkABalanceThatCannotBeReadExits76NamingIt() }
    func testAnUnreachableRemoteExits69() throws { try checkAnUnreachableRemoteExits69() }
}

/// The same probe against a simulator that speaks every trait of the real server at once.
final class FirstContactAllTraitsAcceptanceTests: FirstContactProbeCase {
    override var simulatorArguments: [String] { ["--dialect", "all"] }

    func testTheProbeReadsEveryFamilyTheBalanceAndALicenseAndChangesNothing() throws {
        try checkTheProbeReadsEveryFamilyTheBalanceAndALicenseAndChangesNothing()
    }
    func testARemoteThatRefusesSessionsIsAWarningNotAFailure() throws {
        try checkARemoteThatRefusesSessionsIsAWarningNotAFailure()
    }
    func testABalanceThatCannotBeReadExits76NamingIt() throws { try checkABalanceThatCannotBeReadExits76NamingIt() }
}

/// What the probe says of the classic shapes, word for word, and of paging that does not add up.
final class FirstContactClassicAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "classic", "--max-page", "2"] }

    func testClassicShapesAreReportedAsRead() throws {
        try sim.seed([
            ["licname": "vps1", "ip": "10.0.0.1", "pricelist": "55227"],
            ["licname": "vps2", "ip": "10.0.0.2", "pricelist": "55228"],
            ["licname": "vps3", "ip": "10.0.0.3", "pricelist": "55228"],
        ])
        let run = try licmgr("config", "check", "--remote")
        for line in [
            "remote          list rows give tariff ids", "remote          list rows carry remoteid",
            "remote          money has 2 decimals",
            "remote          catalogue item types are names (soft, softexternal, platform)",
            "remote          soft list: 2 row(s) on page 1; p_elems is the list's total (3); pages hold at most 2 rows (asked for 5000)",
        ] {
            XCTAssertTrue(run.stdout.contains(line), "\(line)\n\(run.stdout)")
        }
        XCTAssertTrue(
            run.stderr.contains(
                "licmgr: warning: remote: change dates come from views only (ip_change_date, lickey_change_date)"),
            run.stderr)
    }

    func testAPElemsThatCountsThePageIsNamed() throws {
        try sim.seed([
            ["licname": "vps1", "ip": "10.0.0.1"], ["licname": "vps2", "ip": "10.0.0.2"],
            ["licname": "vps3", "ip": "10.0.0.3"],
        ])
        try sim.fault("soft", "count-page", times: 2)
        let document = try licmgr("config", "check", "--remote", "--json").jsonObject
        XCTAssertEqual(document["ok"] as? Bool, true)
        XCTAssertEqual(document["licenses_seen"] as? Int, 3)
        XCTAssertTrue(
            (document["inferred"] as? [String] ?? []).contains(
                "soft list: p_elems (2) counts the page, not the list: paging is proven whole by reading pages until a short one"
            ), "\(document)")
    }
}
