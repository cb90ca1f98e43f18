import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The balance read by checkevent, and what status makes of the store.
final class MoneyEngineTests: StoreTestCase {
    private var server: FakeLicenseServer!
    private var config: Config!
    private let keys = SequentialKeys()
    private let start = Date(timeIntervalSince1970: TimeInterval(Day(year: 2026, month: 11, day: 25)!.ordinal * 86_400))

    override func setUpWithError() throws {
        try super.setUpWithError()
        server = FakeLicenseServer()
        config = try ConfigParser().parse("", path: dir.file("licmgr.conf"))
    }

    private func engine(after seconds: Int = 0) -> LicenseEngine {
        LicenseEngine(
            config: config, store: store, server: server,
            time: FixedTime(start.addingTimeInterval(TimeInterval(seconds))), command: "checkevent", keys: keys)
    }

    private static let catalogue = [
        Tariff(
            id: 55227, name: "Lite", active: true, itemType: "soft", currency: "EUR",
            periods: [.init(id: 1, type: "month", length: 1, cost: "10.00")])
    ]

    // MARK: - Balance

    func testCheckeventReadsTheBalanceAtMostHourly() throws {
        server.setBalances(.success([AccountBalance(cents: 4210, currency: "EUR")]))
        let first = try engine().checkEvent()
        XCTAssertEqual(first.items, [], "reading the balance is nothing to report")
        XCTAssertEqual(try store.balance()?.balance, AccountBalance(cents: 4210, currency: "EUR"))
        server.setBalances(.success([AccountBalance(cents: 100, currency: "EUR")]))
        _ = try engine(after: 3599).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 1)
        XCTAssertEqual(try store.balance()?.balance.cents, 4210)
        _ = try engine(after: 3600).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 2)
        XCTAssertEqual(try store.balance()?.balance.cents, 100)
        XCTAssertEqual(try store.balance()?.at, "2026-11-25 01:00:00")
    }

    func testAFailedReadWarnsOnlyVerboselyAndWaitsAnHour() throws {
        server.setBalances(.success([AccountBalance(cents: 500, currency: "EUR")]))
        _ = try engine().checkEvent()
        server.setBalances(.failure(.refused(function: "subaccount", type: "missed", object: nil, message: "Unknown")))
        let run = try engine(after: 3600).checkEvent()
        XCTAssertEqual(run.exitStatus, .ok)
        XCTAssertEqual(run.warnings, [])
        XCTAssertEqual(run.verboseWarnings.count, 1, "\(run.verboseWarnings)")
        XCTAssertEqual(try store.balance()?.balance.cents, 500, "the last reading stays")
        _ = try engine(after: 3700).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 2)
    }

    func testOfSeveralSubaccountsTheCatalogueCurrencyIsTaken() throws {
        try store.saveCatalogue(Self.catalogue, at: "2026-11-24 00:00:00")
        server.setBalances(
            .success([AccountBalance(cents: 1, currency: "USD"), AccountBalance(cents: 2, currency: "EUR")]))
        _ = try engine().checkEvent()
        XCTAssertEqual(try store.balance()?.balance, AccountBalance(cents: 2, currency: "EUR"))
    }

    func testADryRunReadsNoBalance() throws {
        _ = try engine().checkEvent(dryRun: true)
        XCTAssertEqual(server.callCount("subaccount"), 0)
        XCTAssertNil(try store.balanceAskedAt())
    }
}
