import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `config check` shows every setting it resolved and every fault it finds.
final class ConfigCheckAcceptanceTests: AcceptanceTestCase {
    func testEveryFaultIsReportedEachNamingItsLine() throws {
        try work.writeConfig(
            url: sim.url,
            extra: """
                Log missing/licmgr.log
                Parallel 99
                Timout 5
                Hook /bin/true
                Hook /bin/false
                CAFile nowhere.pem
                """)
        let config = work.configPath
        let directory = work.directory.path
        let check = try licmgr("config", "check", expect: 78)
        XCTAssertEqual(check.stdout, "")
        XCTAssertEqual(
            check.stderr,
            """
            licmgr: error: \(config):8: Log \(directory)/missing/licmgr.log: cannot write: No such file or directory
            licmgr: error: \(config):9: Parallel: '99' is not a number of remote calls in flight from 1 to 32
            licmgr: error: \(config):10: unknown directive 'Timout'; did you mean 'Timeout'?
            licmgr: error: \(config):12: Hook conflicts with line 11
            licmgr: error: \(config):13: CAFile \(directory)/nowhere.pem: cannot read: no such file

            """)
        let json = try licmgr("config", "check", "--json", expect: 78).jsonObject
        let error = try XCTUnwrap(json["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? Int, 78)
        XCTAssertEqual((error["problems"] as? [String])?.count, 5)
        XCTAssertEqual(
            error["message"] as? String,
            "\(config):8: Log \(directory)/missing/licmgr.log: cannot write: No such file or directory")
    }

    func testAMissingSettingIsReportedBesideTheLineFaults() throws {
        try work.writeFile("licmgr.conf", "User a\nTimeout 0\n")
        let check = try licmgr("config", "check", expect: 78)
        XCTAssertEqual(
            check.stderr,
            """
            licmgr: error: \(work.configPath):2: Timeout: '0' is not a number of seconds from 1 to 3600
            licmgr: error: \(work.configPath): no Url line; the remote cannot be reached without it
            licmgr: error: \(work.configPath): no Password or PasswordFile line; the remote cannot be reached without it

            """)
    }

    func testAnIdenticalRepeatedLineIsNoConflict() throws {
        try work.writeConfig(url: sim.url, extra: "Url \(sim.url)\nLog stderr\nlog stderr # again")
        let check = try licmgr("config", "check")
        XCTAssertEqual(check.stderr, "")
        XCTAssertTrue(check.stdout.contains("log             stderr\n"), check.stdout)
        try work.writeConfig(url: sim.url, extra: "Log stderr\nLog syslog")
        let conflict = try licmgr("config", "check", expect: 78)
        XCTAssertEqual(conflict.stderr, "licmgr: error: \(work.configPath):9: Log conflicts with line 8\n")
    }

    func testEveryResolvedDirectiveIsShown() throws {
        try work.writeConfig(
            url: sim.url,
            extra: """
                SpendLimit 250.5
                Parallel 8
                RenewBefore 3
                SettleAfter 120
                Log stderr
                Hook /bin/true 7
                MetricsFile licmgr.prom
                ReusePrice 12 14
                """)
        let directory = work.directory.path
        let text = try licmgr("config", "check").stdout
        for line in [
            "ca file         - (the system's certificate authorities)", "price           -", "period          -",
            "options         -", "reuse packages  12 14", "renew before    3 day(s)",
            "timeouts        connect 2 s, total 3 s", "settle after    120 s",
            "spend limit     250.50 in 24 hours (the catalogue's currency)",
            "parallel        8 remote call(s) in flight",
            "log             stderr", "hook            /bin/true (at most 7 s)",
            "metrics file    \(directory)/licmgr.prom",
        ] {
            XCTAssertTrue(text.contains(line + "\n"), "\(line)\n\(text)")
        }
        let json = try licmgr("config", "check", "--json").jsonObject
        XCTAssertEqual(json["spend_limit"] as? Double, 250.5)
        XCTAssertEqual(json["parallel"] as? Int, 8)
        XCTAssertEqual(json["renew_before"] as? Int, 3)
        XCTAssertEqual(json["settle_after"] as? Int, 120)
        XCTAssertEqual(json["timeout"] as? Int, 3)
        XCTAssertEqual(json["log"] as? String, "stderr")
        XCTAssertEqual(json["reuse_packages"] as? [Int], [12, 14])
        XCTAssertEqual(json["hook_timeout"] as? Int, 7)

        try work.writeConfig(url: sim.url)
        let none = try licmgr("config", "check", "--json").jsonObject
        XCTAssertTrue(none["spend_limit"] is NSNull, "\(none)")
        XCTAssertEqual(none["parallel"] as? Int, 4)
    }
}
