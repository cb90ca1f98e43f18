import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// A clock the test moves forward.
private final class SteppedClock: TimeSource, @unchecked Sendable {
    var instant = Date(timeIntervalSince1970: 1_790_000_000)
    func now() -> Date { instant }
    func advance(minutes: Int) { instant += TimeInterval(minutes * 60) }
}

final class MailHygieneTests: StoreTestCase {
    private let clock = SteppedClock()
    private var hygiene: MailHygiene { MailHygiene(store: store, time: clock, command: "checkevent") }
    private let down = MailHygiene.observe(stoppedBy: RemoteError.unreachable(url: "https://x", detail: "refused"))

    func testAnOutageIsPrintedWhenItStartsThenHourlyThenOnceWhenItEnds() throws {
        XCTAssertEqual(try hygiene.record(down).print, [.remoteDown])
        var printed = 0
        // Every five minutes for two hours after the first run.
        for _ in 1...24 {
            clock.advance(minutes: 5)
            if try hygiene.record(down).print.contains(.remoteDown) { printed += 1 }
        }
        XCTAssertEqual(printed, 2, "at 60 and 120 minutes")
        let back = try hygiene.record(MailHygiene.observe(RunReport()))
        XCTAssertEqual(back.print, [])
        XCTAssertEqual(back.ended.map(\.condition), [.remoteDown])
        XCTAssertEqual(back.ended.first?.runs, 25)
        XCTAssertEqual(back.ended.first?.since, FixedTime(Date(timeIntervalSince1970: 1_790_000_000)).timestamp)
        XCTAssertEqual(try hygiene.record(MailHygiene.observe(RunReport())).ended, [], "said once")
        clock.advance(minutes: 5)
        XCTAssertEqual(try hygiene.record(down).print, [.remoteDown], "a new outage is news again")
    }

    func testRefusedCredentialsShowTheRemoteUpAndAFundsRefusalOutlivesAnOutage() throws {
        var funds = RunReport()
        funds.add(.failed, serviceID: 7, "renew license 1: \(LicenseEngine.insufficientFunds): balance 3.00 EUR")
        XCTAssertEqual(try hygiene.record(MailHygiene.observe(funds)).print, [.funds])
        clock.advance(minutes: 5)
        XCTAssertEqual(try hygiene.record(down).print, [.remoteDown])
        clock.advance(minutes: 5)
        let refused = try hygiene.record(MailHygiene.observe(stoppedBy: RemoteError.authRefused(message: "no")))
        XCTAssertEqual(refused.print, [.credentials])
        XCTAssertEqual(refused.ended.map(\.condition), [.remoteDown], "the remote answered")
        clock.advance(minutes: 5)
        let fine = try hygiene.record(MailHygiene.observe(funds))
        XCTAssertEqual(fine.print, [], "the funds refusal began 15 minutes ago and was printed then")
        XCTAssertEqual(fine.ended.map(\.condition), [.credentials])
        XCTAssertEqual(try store.repeatingErrors(command: "checkevent").first?.runs, 2)
        XCTAssertFalse(try hygiene.prints(.funds), "held back from the lines while the run streams them")
        XCTAssertTrue(try hygiene.prints(.credentials), "a new error is printed")
        clock.advance(minutes: 45)
        XCTAssertTrue(try hygiene.prints(.funds), "an hour after it was printed")
        XCTAssertEqual(try hygiene.record(MailHygiene.observe(funds)).print, [.funds], "and recorded so")
    }

    func testOtherErrorsAreNotHeldBack() {
        XCTAssertNil(
            MailHygiene.condition(of: RemoteError.refused(function: "f", type: "value", object: nil, message: "m")))
        XCTAssertNil(MailHygiene.condition(of: ConfigError.missingSetting(file: "f", directive: "Url")))
        XCTAssertEqual(MailHygiene.observe(stoppedBy: StoreError.tooNew(path: "p", version: 9, supported: 5)), .init())
        XCTAssertEqual(
            MailHygiene.condition(of: RemoteError.timedOut(function: "soft", seconds: 3)), .remoteDown)
    }

    func testAServiceSourceFailureRepeatsBesideAnOutageAndEndsWhenTheSourceWorks() throws {
        var failed = RunReport()
        failed.serviceSource = ServiceSourceOutcome(
            program: "/x", failure: .init(message: "ServiceSource /x exited 3", status: .temporary))
        failed.stopped = .unreachable(url: "https://x", detail: "refused")
        XCTAssertEqual(try hygiene.record(MailHygiene.observe(failed)).print, [.remoteDown, .serviceSource])
        clock.advance(minutes: 5)
        failed.stopped = nil
        let again = try hygiene.record(MailHygiene.observe(failed))
        XCTAssertEqual(again.print, [])
        XCTAssertEqual(again.ended.map(\.condition), [.remoteDown])
        clock.advance(minutes: 5)
        var stopped = RunReport()
        stopped.stopped = .timedOut(function: "soft", seconds: 3)
        XCTAssertEqual(
            try hygiene.record(MailHygiene.observe(stopped)).ended, [], "a run without the source shows nothing of it")
        var worked = RunReport()
        worked.serviceSource = ServiceSourceOutcome(program: "/x", result: ImportResult())
        worked.stopped = .timedOut(function: "soft", seconds: 3)
        XCTAssertEqual(try hygiene.record(MailHygiene.observe(worked)).ended.map(\.condition), [.serviceSource])
    }

    func testAServiceSourceFailureSetsTheExitStatusOnlyWhenTheRunItselfWentWell() {
        var report = RunReport()
        report.serviceSource = ServiceSourceOutcome(
            program: "/x", failure: .init(message: "ServiceSource /x: bad", status: .dataError))
        XCTAssertEqual(report.exitStatus, .dataError)
        report.stopped = .unreachable(url: "https://x", detail: "refused")
        XCTAssertEqual(report.exitStatus, .unavailable)
    }
}
