import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// checkevent's output is cron's mail: an error that repeats every run is mailed when it
/// starts and when it ends, not every five minutes; the log keeps every run.
final class CronMailAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    var logPath: String { work.directory.appendingPathComponent("trail.log").path }

    func runLines() -> [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            .filter { $0.contains(": run checkevent ") }
    }

    func testAnOutageIsMailedWhenItStartsAndWhenItEnds() throws {
        try addService(7, ip: "10.0.0.7")
        try work.writeConfig(url: "http://127.0.0.1:1", extra: "Log trail.log")
        let first = try licmgr("checkevent", expect: 69)
        XCTAssertTrue(first.stderr.contains("licmgr: error: cannot reach http://127.0.0.1:1"), first.stderr)
        for _ in 0..<2 {
            let again = try licmgr("checkevent", expect: 69)
            XCTAssertEqual(again.stdout + again.stderr, "", "the same outage is not mailed every run")
        }
        let verbose = try licmgr("checkevent", "-v", expect: 69)
        XCTAssertTrue(verbose.stderr.contains("cannot reach"), "-v prints it every run: \(verbose.stderr)")
        let json = try licmgr("checkevent", "--json", expect: 69).jsonObject
        XCTAssertNotNil(json["error"], "a program reading --json gets the error every run")
        XCTAssertEqual(runLines().filter { $0.contains("exit=69") && $0.contains("cannot reach") }.count, 5)

        try work.writeConfig(url: sim.url, extra: "Log trail.log")
        let back = try licmgr("checkevent")
        let since = try XCTUnwrap(runLines().first?.prefix(19)).replacingOccurrences(of: "T", with: " ")
        XCTAssertTrue(
            back.stderr.hasPrefix("licmgr: the remote answers again after 5 failed runs since \(since)"),
            "\(since)\n\(back.stderr)")
        XCTAssertTrue(back.stdout.contains("ordered"), back.stdout)
        let quiet = try licmgr("checkevent")
        XCTAssertEqual(quiet.stdout + quiet.stderrLessPagingWarning, "")
        XCTAssertEqual(runLines().count, 7, "the log has every run")
    }

    func testARemoteThatTimesOutIsMailedOnceButAHeldLockIsNotHeldBack() throws {
        try addService(7, ip: "10.0.0.7")
        try work.writeConfig(url: sim.url, extra: "Timeout 1")
        try sim.fault("soft", "latency", ms: 1500, times: 2)
        let first = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(first.stderr.contains("no answer within 1 s"), first.stderr)
        let second = try licmgr("checkevent", expect: 75)
        XCTAssertEqual(second.stderr, "", "75 from the remote repeats like an outage")

        try sim.fault("soft", "latency", ms: 1500)
        try work.writeConfig(url: sim.url)
        let holder = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        let lockPath = work.databasePath + ".lock"
        for _ in 0..<150 where ((try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? "").isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        for _ in 0..<2 {
            let held = try licmgr("checkevent", expect: 75)
            XCTAssertTrue(held.stderr.contains("holds the lock"), "a held lock is said every time: \(held.stderr)")
        }
        let back = holder.wait()
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertTrue(back.stderr.contains("the remote answers again after 2 failed runs since "), back.stderr)
    }

    func testRefusedCredentialsAreMailedOnceUntilTheyAreAcceptedAgain() throws {
        try addService(7, ip: "10.0.0.7")
        try work.writeConfig(url: sim.url, password: "wrong")
        let first = try licmgr("checkevent", expect: 77)
        XCTAssertTrue(first.stderr.contains("refused the credentials"), first.stderr)
        let second = try licmgr("checkevent", expect: 77)
        XCTAssertEqual(second.stderr, "")
        let byHand = try licmgr("order", "7", expect: 77)
        XCTAssertTrue(byHand.stderr.contains("refused the credentials"), "only checkevent holds it back")
        try work.writeConfig(url: sim.url)
        let back = try licmgr("checkevent")
        XCTAssertTrue(
            back.stderr.contains("licmgr: the remote accepts the credentials again after 2 failed runs since "),
            back.stderr)
    }

    func testARenewalRefusedForLackOfFundsIsMailedOnceWhileItLasts() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": today.description,
            ]
        ])
        try licmgr("fixchilds")
        try sim.setBalance("3.00")
        let first = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(first.stderr.contains("insufficient funds"), first.stderr)
        let second = try licmgr("checkevent", expect: 1)
        XCTAssertFalse(second.stderr.contains("insufficient funds"), second.stderr)
        XCTAssertEqual(
            try sim.state().calls("service.prolong").count, 2, "tried every run: money may have arrived")
        try sim.setBalance("100.00")
        let paid = try licmgr("checkevent")
        XCTAssertTrue(
            paid.stderr.contains("licmgr: no purchase was refused for lack of funds, after 2 runs with such refusals"),
            paid.stderr)
        XCTAssertTrue(paid.stdout.contains("renewed"), paid.stdout)
    }

    /// Cron's rule is for cron: a person running checkevent by hand during an outage is told
    /// what is wrong, every time.
    func testOnATerminalAnErrorStillGoingOnIsSaidEveryRun() throws {
        try work.writeConfig(url: "http://127.0.0.1:1")
        let first = try licmgr("checkevent", expect: 69)
        XCTAssertTrue(first.stderr.contains("cannot reach http://127.0.0.1:1"), first.stderr)
        let cron = try licmgr("checkevent", expect: 69)
        XCTAssertEqual(cron.stderr, "", "cron hears of it hourly")
        for _ in 0..<2 {
            let byHand = try work.onTerminal(["checkevent"]).terminal
            XCTAssertTrue(byHand.contains("licmgr: error: cannot reach http://127.0.0.1:1"), byHand)
        }
        XCTAssertEqual(try licmgr("checkevent", expect: 69).stderr, "", "and cron still only hourly")
    }

    /// TLS failing where the connection was refused is another error, said when it first comes;
    /// coming back to a cause already said this outage is not.
    func testADifferentCauseOfAnOutageIsANewError() throws {
        let port = try XCTUnwrap(URL(string: sim.url)?.port)
        // The simulator speaks plain HTTP: a TLS handshake with it fails.
        let tls = "https://127.0.0.1:\(port)/billmgr"
        try work.writeConfig(url: "http://127.0.0.1:1")
        XCTAssertTrue(try licmgr("checkevent", expect: 69).stderr.contains("cannot reach"))
        XCTAssertEqual(try licmgr("checkevent", expect: 69).stderr, "")
        try work.writeConfig(url: tls)
        let changed = try licmgr("checkevent", expect: 69)
        XCTAssertTrue(changed.stderr.hasPrefix("licmgr: error: TLS with \(tls) failed: "), changed.stderr)
        XCTAssertEqual(try licmgr("checkevent", expect: 69).stderr, "")
        try work.writeConfig(url: "http://127.0.0.1:1")
        XCTAssertEqual(try licmgr("checkevent", expect: 69).stderr, "", "said already in this outage")
        try work.writeConfig(url: sim.url)
        let back = try licmgr("checkevent")
        XCTAssertTrue(back.stderr.contains("the remote answers again after 5 failed runs since "), back.stderr)
    }

    /// A remote that refuses the password answers, but no call of licmgr's succeeds: the outage
    /// is over only when one does.
    func testTheRemoteAnswersAgainOnlyOnceACallSucceeds() throws {
        try addService(7, ip: "10.0.0.7")
        try work.writeConfig(url: "http://127.0.0.1:1")
        try licmgr("checkevent", expect: 69)
        try work.writeConfig(url: sim.url, password: "wrong")
        let refused = try licmgr("checkevent", expect: 77)
        XCTAssertEqual(refused.stderr.split(separator: "\n").count, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("refused the credentials"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("answers again"), refused.stderr)
        try work.writeConfig(url: sim.url)
        let back = try licmgr("checkevent")
        XCTAssertTrue(back.stderr.contains("licmgr: the remote answers again after 1 failed run since "), back.stderr)
        XCTAssertTrue(
            back.stderr.contains("licmgr: the remote accepts the credentials again after 1 failed run since "),
            back.stderr)
    }

    /// Renewals and orders SpendLimit holds are one line with their count and what they cost,
    /// when the holding starts, hourly while it lasts, and one line when it clears.
    func testSpendLimitHoldsAreOneLineWhenTheyStartAndOneWhenTheyClear() throws {
        try work.writeConfig(url: sim.url, extra: "SpendLimit 25")
        try licmgr("import-tariffs")
        for id in 1...4 { try addService(id, ip: "10.0.0.\(id)") }
        // Lite costs 10.00 a month: two fit in 25.00, two wait.
        let first = try licmgr("checkevent", expect: 75)
        XCTAssertEqual(
            first.stderr.split(separator: "\n").filter { $0.contains("SpendLimit") },
            [
                "licmgr: error: SpendLimit 25.00 EUR held 2 purchases worth 20.00 EUR (20.00 EUR spent in the last "
                    + "24 hours); they are sent once the window allows"
            ], first.stderr)
        XCTAssertTrue(first.stdout.contains("ordered"), first.stdout)
        for _ in 0..<2 {
            let again = try licmgr("checkevent", expect: 75)
            XCTAssertEqual(again.stdout + again.stderrLessPagingWarning, "", "held again: no news")
        }
        let each = try licmgr("checkevent", "-v", expect: 75).stderr
        XCTAssertEqual(each.split(separator: "\n").filter { $0.contains("held: SpendLimit") }.count, 2, each)
        XCTAssertEqual(try licmgr("checkevent", "--json", expect: 75).jsonObject["held"] as? Int, 2)

        try work.writeConfig(url: sim.url, extra: "SpendLimit 100")
        let cleared = try licmgr("checkevent")
        XCTAssertTrue(
            cleared.stderr.contains(
                "licmgr: SpendLimit holds no purchase any more, after 5 runs that held some since "),
            cleared.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 4)
    }
}
