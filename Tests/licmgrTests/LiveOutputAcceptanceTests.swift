import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A run's lines come out as its steps finish, not at the end: read while it runs, after a
/// signal, and on a terminal with a progress line that a file never gets. Large sets of
/// bookkeeping lines are cut to a few and a count, for cron mail.
final class LiveOutputAcceptanceTests: AcceptanceTestCase {
    private let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    /// Services 1...count, each on its own IP, and orders that take `ms` each at the remote.
    private func slowOrders(_ count: Int, ms: Int, parallel: Int) throws {
        try work.writeConfig(url: sim.url, extra: "Parallel \(parallel)")
        for id in 1...count { try addService(id, ip: "10.0.1.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: ms, times: count)
    }

    private func orderArguments(_ count: Int) -> [String] {
        ["--config", work.configPath, "order"] + (1...count).map(String.init)
    }

    /// A terminal's "\r\n" is one Character to Swift: split on the newline's scalar.
    private func lines(_ text: String, containing word: String) -> [String] {
        text.unicodeScalars.split(separator: "\n").map { String(String.UnicodeScalarView($0)) }
            .filter { $0.contains(word) }
    }

    /// The orders the remote carried out.
    private func orderCalls() throws -> Int {
        try sim.state().calls("soft.order.param").filter { ["ok", "fault:latency"].contains($0.result) }.count
    }

    func testOrderedLinesArriveWhileTheRunGoesOn() throws {
        try slowOrders(20, ms: 200, parallel: 2)
        let run = try work.launch(arguments: orderArguments(20))
        var seenWhileRunning = false
        for _ in 0..<500 {
            let sofar = run.stdoutSoFar()
            let running = run.isRunning
            if sofar.contains("ordered license") {
                seenWhileRunning = running
                break
            }
            guard running else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let result = run.wait()
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(seenWhileRunning, "no ordered line before the run ended:\n\(result.stdout)")
        XCTAssertEqual(lines(result.stdout, containing: "ordered license").count, 20, result.stdout)
        XCTAssertFalse(result.stderr.contains("\r"), "no progress line into a file: \(result.stderr)")
    }

    func testInterruptPrintsEveryLicenseBoughtBeforeIt() throws {
        try slowOrders(40, ms: 200, parallel: 2)
        let run = try work.launch(arguments: orderArguments(40))
        Thread.sleep(forTimeInterval: 1)
        run.signal(SIGINT)
        let result = run.wait()
        XCTAssertEqual(result.status, 75, result.stderr)
        let bought = try orderCalls()
        XCTAssertGreaterThan(bought, 0, "the signal came before any order")
        XCTAssertLessThan(bought, 40, "the signal came after every order")
        XCTAssertEqual(lines(result.stdout, containing: "ordered license").count, bought, result.stdout)
        XCTAssertEqual(try work.store().operations(state: .pending).count, 0, "every order sent was recorded")
        let stop = lines(result.stderr, containing: "interrupted by SIGINT")
        XCTAssertEqual(stop.count, 1, result.stderr)
        XCTAssertTrue(stop.first?.contains("done before it: \(bought) ordered") ?? false, result.stderr)
        XCTAssertTrue(stop.first?.contains("no step is left in doubt") ?? false, result.stderr)
    }

    func testProgressIsShownOnATerminalOnly() throws {
        try slowOrders(6, ms: 200, parallel: 2)
        let terminal = try work.onTerminal(["order", "1", "2", "3"])
        XCTAssertTrue(terminal.terminal.contains("\r\u{1B}[K"), terminal.terminal)
        XCTAssertTrue(terminal.terminal.contains("ordering 0/3: order for service"), terminal.terminal)
        XCTAssertEqual(lines(terminal.terminal, containing: "ordered license").count, 3, terminal.terminal)
        // Stdout on the terminal, stderr into a file: the file gets no progress.
        let filed = try work.onTerminal(["order", "4", "5"], stderrToFile: true)
        XCTAssertEqual(lines(filed.terminal, containing: "ordered license").count, 2, filed.terminal)
        XCTAssertFalse(filed.terminal.contains("\u{1B}[K"), filed.terminal)
        // Nothing but, from a remote whose p_elems counts the page, the one line that says so.
        XCTAssertEqual(
            filed.stderrFile.split(separator: "\n").filter { !$0.contains("p_elems is not the list's total") }, [])
        for quiet in [["--json"], ["-q"]] {
            let run = try work.onTerminal(quiet + ["order", "6"])
            XCTAssertFalse(run.terminal.contains("\u{1B}[K"), "\(quiet): \(run.terminal)")
        }
        XCTAssertEqual(try orderCalls(), 6)
    }

    /// The progress line fits the terminal's width, whatever it is, and never wraps: a long step
    /// summary gives up its middle. It names the stretch of the run it follows and, once enough
    /// is answered to tell, the time left.
    func testProgressFitsTheTerminalNamesItsPhaseAndTellsTheTimeLeft() throws {
        try slowOrders(12, ms: 400, parallel: 2)
        try sim.fault("soft.edit", "latency", ms: 300, times: 12)
        let run = try work.onTerminal(["order"] + (1...12).map(String.init), columns: 50)
        let drawn = progressLines(run.terminal)
        XCTAssertFalse(drawn.isEmpty, run.terminal)
        for line in drawn { XCTAssertLessThanOrEqual(line.count, 49, "wider than the terminal: '\(line)'") }
        XCTAssertTrue(drawn.contains { $0.hasPrefix("ordering ") && $0.contains("/12: order for") }, "\(drawn)")
        XCTAssertTrue(drawn.contains { $0.contains("…") && $0.hasSuffix(" in flight") }, "the middle cut: \(drawn)")
        XCTAssertTrue(drawn.contains { $0.hasPrefix("ordering ") && $0.hasSuffix(" s left") }, "\(drawn)")
        XCTAssertTrue(drawn.contains { $0.hasPrefix("reading back licenses ") }, "\(drawn)")
        XCTAssertEqual(lines(run.terminal, containing: "ordered license").count, 12, run.terminal)

        // A terminal that gives no size: COLUMNS says it.
        work.environment["COLUMNS"] = "40"
        for id in 13...14 { try addService(id, ip: "10.0.1.\(id)") }
        try sim.fault("soft.order.param", "latency", ms: 300, times: 2)
        let narrow = try work.onTerminal(["order", "13", "14"])
        XCTAssertFalse(progressLines(narrow.terminal).isEmpty, narrow.terminal)
        for line in progressLines(narrow.terminal) { XCTAssertLessThanOrEqual(line.count, 39, "'\(line)'") }
    }

    /// What each drawing of the progress line wrote: from its "\r ESC[K" to the next one. What
    /// follows the "\r ESC[K" that clears it for another line holds that line's newline.
    private func progressLines(_ terminal: String) -> [String] {
        terminal.components(separatedBy: "\r\u{1B}[K").dropFirst().filter {
            !$0.isEmpty && !$0.unicodeScalars.contains("\n")
        }
    }

    /// A listing of pages shows how far it has read; when it fails, the error starts its own line.
    func testAListingThatFailsLeavesNoProgressUnderItsError() throws {
        sim.stop()
        sim = try SimServer(arguments: ["--max-page", "10"])
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        try sim.seed((1...30).map { id in ["licname": "old\(id)", "ip": "10.9.0.\(id)", "pricelist": "55227"] })
        try sim.fault("soft", "latency", ms: 300, times: 1, page: 2)
        try sim.fault("soft", "http500", times: 1, page: 3)
        let run = try work.onTerminal(["checkevent"])
        // A remote whose p_elems counts the page gives no total to count against.
        XCTAssertTrue(
            run.terminal.contains("reading the account 20" + (sim.speaks("paging") ? "" : "/30") + ": soft, page 2"),
            run.terminal)
        XCTAssertTrue(run.terminal.contains("\r\u{1B}[Klicmgr: error:"), run.terminal)
    }

    /// A long listing stops at the next page: nothing was changed, and the run says so.
    func testInterruptCutsALongListingShort() throws {
        sim.stop()
        sim = try SimServer(arguments: ["--max-page", "10", "--latency", "200"])
        try work.writeConfig(url: sim.url, extra: "Parallel 1")
        try sim.seed((1...100).map { id in ["licname": "old\(id)", "ip": "10.9.0.\(id)", "pricelist": "55227"] })
        let run = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        Thread.sleep(forTimeInterval: 0.7)
        run.signal(SIGINT)
        let result = run.wait()
        XCTAssertEqual(result.status, 75, result.stderr)
        XCTAssertTrue(result.stderr.contains("interrupted by SIGINT"), result.stderr)
        let pages = try sim.state().calls("soft").count
        XCTAssertTrue((1..<10).contains(pages), "\(pages) of 10 pages read: the listing went on after the signal")
        XCTAssertEqual(result.stdout, "", "nothing noted from a listing cut short")
    }

    func testATakeoverIsSummarisedForCronMail() throws {
        try sim.seed(
            (1...200).map { id in
                ["licname": "old\(id)", "ip": "10.9.\(id / 200).\(id % 200)", "pricelist": "55227", "period": "1"]
            })
        let summary =
            "... and 195 more licenses on the account unknown here: see 'licmgr list --unused' or "
            + "'licmgr history --since \(today)'"
        let text = try licmgr("checkevent")
        XCTAssertLessThan(text.stdout.split(separator: "\n").count + text.stderr.split(separator: "\n").count, 30)
        XCTAssertEqual(lines(text.stdout, containing: "is on the account but unknown here").count, 5, text.stdout)
        XCTAssertEqual(lines(text.stdout, containing: "... and").last, summary, text.stdout)

        work = try Workspace()
        try work.writeConfig(url: sim.url)
        let verbose = try licmgr("checkevent", "-v")
        XCTAssertEqual(lines(verbose.stdout, containing: "is on the account but unknown here").count, 200)
        XCTAssertFalse(verbose.stdout.contains("... and"), verbose.stdout)

        work = try Workspace()
        try work.writeConfig(url: sim.url)
        let json = try licmgr("checkevent", "--json")
        XCTAssertEqual(json.jsonObject["discovered"] as? Int, 200, json.stdout)
        XCTAssertEqual((json.jsonObject["items"] as? [Any])?.count, 200, json.stdout)
    }

    func testASetOfTwentyIsPrintedWhole() throws {
        try sim.seed((1...20).map { id in ["licname": "old\(id)", "ip": "10.9.0.\(id)", "pricelist": "55227"] })
        let text = try licmgr("checkevent")
        XCTAssertEqual(lines(text.stdout, containing: "is on the account but unknown here").count, 20, text.stdout)
        XCTAssertFalse(text.stdout.contains("... and"), text.stdout)
    }

    /// A reuse that rolled back and whose replacement order failed too is printed as the
    /// failure it is, once its outcome is known; excused, it is never printed as an error.
    func testAHeldBackReuseFailureIsPrintedOnceKnown() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        let rested = today.adding(months: -2).description
        let free = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "3",
                    "expiredate": today.adding(days: 20).description, "ip_change_date": rested,
                    "lickey_change_date": rested,
                ]
            ]).first)
        try addService(8, ip: "10.0.0.8", extra: ["--package", "12"])
        try sim.fault("soft.resume", "refuse", message: "resume is not allowed")
        try sim.fault("soft.order.param", "refuse", message: "no money")
        let result = try licmgr("order", "8", expect: 1)
        XCTAssertEqual(lines(result.stderr, containing: "error: resume license \(free)").count, 1, result.stderr)
        XCTAssertEqual(lines(result.stderr, containing: "no money").count, 1, result.stderr)
    }
}
