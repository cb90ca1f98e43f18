import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// A remote that refuses for lack of funds as the vendor's knowledge base shows
/// (`not_enough_money`, code 1, the `amount` needed and what the account `have`s as params):
/// the refusal is not final, the step goes through once the account is topped up.
final class FundsAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "funds"] }

    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    func testARenewalRefusedForFundsRenewsOnceOnTheRunAfterATopUp() throws {
        try licmgr("import-tariffs")
        try dueLicense()
        try sim.setBalance("3.00")
        let refused = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(
            refused.stderr.contains(
                "refused, insufficient funds: balance 3.00 EUR as the refusal says, needs 10.00 EUR"),
            refused.stderr)
        XCTAssertTrue(refused.stderr.contains("[not_enough_money]"), refused.stderr)
        let held = try licmgr("status", "--check", expect: 1)
        XCTAssertTrue(held.stdout.contains("renewals held for lack of funds: license "), held.stdout)

        try sim.setBalance("100.00")
        let renewed = try licmgr("checkevent")
        XCTAssertTrue(renewed.stdout.contains("renewed license "), renewed.stdout)
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("service.prolong").map(\.result), ["error:not_enough_money", "ok"])
        XCTAssertEqual(state.balance, "90.00", "paid once")
        XCTAssertEqual(state.licenses.first?["expiredate"], today.adding(months: 1).description)
        try licmgr("status", "--check")
    }

    func testAnOrderRefusedForFundsIsPlacedByTheNextCheckeventAfterATopUp() throws {
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try sim.setBalance("3.00")
        let refused = try licmgr("checkevent", expect: 1)
        XCTAssertTrue(refused.stderr.contains("refused, insufficient funds: balance 3.00 EUR"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("needs 10.00 EUR"), refused.stderr)
        try sim.setBalance("100.00")
        try licmgr("checkevent")
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.order.param").map(\.result), ["error:not_enough_money", "ok"])
        XCTAssertEqual(state.balance, "90.00")
        XCTAssertEqual(try work.store().licenses(serviceID: 7).count, 1)
    }

    /// The amount comes from the refusal itself: it is named even before the catalogue is
    /// imported, when licmgr cannot price the step.
    func testTheRefusalNamesTheAmountItNeedsWithoutTheCatalogue() throws {
        try dueLicense()
        try sim.setBalance("3.00")
        let refused = try licmgr("renew", "7", expect: 1)
        XCTAssertTrue(
            refused.stderr.contains("balance 3.00 EUR as the refusal says, needs 10.00 EUR (service.prolong refused: "),
            refused.stderr)
    }
}
