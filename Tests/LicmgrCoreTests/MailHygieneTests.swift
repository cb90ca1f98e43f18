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
        XCTAssertEqual(refused.ended, [], "the remote answered, but no call went through")
        clock.advance(minutes: 5)
        let fine = try hygiene.record(MailHygiene.observe(funds))
        XCTAssertEqual(fine.print, [], "the funds refusal began 15 minutes ago and was printed then")
        XCTAssertEqual(fine.ended.map(\.condition), [.credentials, .remoteDown])
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

    func testAnotherCauseIsNewsOnceAndACauseAlreadyMetIsNot() throws {
        let tls = MailHygiene.observe(stoppedBy: RemoteError.tls(url: "https://x", detail: "expired"))
        XCTAssertEqual(try hygiene.record(down).print, [.remoteDown])
        clock.advance(minutes: 5)
        XCTAssertEqual(try hygiene.record(down).print, [])
        clock.advance(minutes: 5)
        let changed = try hygiene.record(tls)
        XCTAssertEqual(changed.print, [.remoteDown])
        XCTAssertEqual(changed.events.map(\.state), [.newCause])
        XCTAssertEqual(changed.met.first?.since, FixedTime(Date(timeIntervalSince1970: 1_790_000_000)).timestamp)
        XCTAssertEqual(changed.met.first?.runs, 3, "the same outage goes on")
        for observation in [down, tls] {
            clock.advance(minutes: 5)
            XCTAssertEqual(try hygiene.record(observation).print, [], "both causes were said")
        }
        XCTAssertEqual(try store.repeatingErrors(command: "checkevent").first?.causes, ["tls", "unreachable"])
        let timeout = MailHygiene.observe(stoppedBy: RemoteError.timedOut(function: "soft", seconds: 3))
        let otherCall = MailHygiene.observe(stoppedBy: RemoteError.timedOut(function: "service.prolong", seconds: 3))
        XCTAssertEqual(timeout, otherCall, "which call timed out is no new cause")
    }

    func testSpendLimitHoldsAreARepeatingErrorAndTheHookHearsWhatIsPrinted() throws {
        var held = RunReport()
        held.add(.held, serviceID: 7, "renew license 1 held: SpendLimit 25.00 would be passed")
        held.hold(cost: 100_000, currency: "EUR", limit: 250_000, spent: 200_000)
        let first = try hygiene.record(MailHygiene.observe(held))
        XCTAssertEqual(first.print, [.spendLimit])
        XCTAssertEqual(first.events.map(\.state), [.started])
        XCTAssertTrue(first.isNews)
        var states: [MailHygiene.Event.State] = []
        for _ in 1...12 {
            clock.advance(minutes: 5)
            let verdict = try hygiene.record(MailHygiene.observe(held))
            XCTAssertEqual(verdict.isNews, !verdict.print.isEmpty)
            states += verdict.events.map(\.state)
        }
        XCTAssertEqual(states, [.repeating], "once, an hour after it started")
        clock.advance(minutes: 5)
        let cleared = try hygiene.record(MailHygiene.observe(RunReport()))
        XCTAssertEqual(cleared.events.map(\.state), [.ended])
        XCTAssertEqual(cleared.events.first?.error.runs, 13)
        XCTAssertFalse(try hygiene.record(MailHygiene.observe(RunReport())).isNews)
    }

    func testARunFailsOnlyOfRepeatsWhenEveryCauseOfItsExitIsOne() {
        var report = RunReport()
        report.add(.held, serviceID: 7, "order for service 7 held: SpendLimit")
        report.add(.failed, serviceID: 8, "renew license 2: \(LicenseEngine.insufficientFunds): balance 3.00 EUR")
        XCTAssertTrue(MailHygiene.failedOnlyOfRepeats(report))
        report.stopped = .unreachable(url: "https://x", detail: "refused")
        XCTAssertTrue(MailHygiene.failedOnlyOfRepeats(report))
        var doubt = report
        doubt.add(.inDoubt, serviceID: 9, "order for service 9: no answer")
        XCTAssertFalse(MailHygiene.failedOnlyOfRepeats(doubt))
        var refused = report
        refused.add(.failed, serviceID: 9, "order for service 9: refused [value]")
        XCTAssertFalse(MailHygiene.failedOnlyOfRepeats(refused))
        report.stopped = .notProtocol(function: "soft", detail: "html")
        XCTAssertFalse(MailHygiene.failedOnlyOfRepeats(report))
    }

    func testSpendHoldIsOneLineWithTheCountAndTheAmount() {
        var report = RunReport()
        report.hold(cost: 100_000, currency: "EUR", limit: 250_000, spent: 200_000)
        report.hold(cost: 180_000, currency: "EUR", limit: 250_000, spent: 200_000)
        XCTAssertEqual(
            report.spendHold?.description,
            "SpendLimit 25.00 EUR held 2 purchases worth 28.00 EUR (20.00 EUR spent in the last 24 hours); "
                + "they are sent once the window allows")
        report.hold(cost: nil, currency: nil, limit: 250_000, spent: 200_000)
        XCTAssertEqual(
            report.spendHold?.description,
            "SpendLimit 25.00 EUR held 3 purchases worth 28.00 EUR and 1 of unknown price (20.00 EUR spent in the "
                + "last 24 hours); a price not known is never sent: import the catalogue with 'licmgr import-tariffs'")
    }
}
