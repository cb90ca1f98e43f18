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
        server.setBalances(.success([AccountBalance(amount: 421_000, currency: "EUR")]))
        let first = try engine().checkEvent()
        XCTAssertEqual(first.items, [], "reading the balance is nothing to report")
        XCTAssertEqual(try store.balance()?.balance, AccountBalance(amount: 421_000, currency: "EUR"))
        server.setBalances(.success([AccountBalance(amount: 10_000, currency: "EUR")]))
        _ = try engine(after: 3599).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 1)
        XCTAssertEqual(try store.balance()?.balance.amount, 421_000)
        _ = try engine(after: 3600).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 2)
        XCTAssertEqual(try store.balance()?.balance.amount, 10_000)
        XCTAssertEqual(try store.balance()?.at, "2026-11-25 01:00:00")
    }

    func testAFailedReadWarnsOnlyVerboselyAndWaitsAnHour() throws {
        server.setBalances(.success([AccountBalance(amount: 50_000, currency: "EUR")]))
        _ = try engine().checkEvent()
        server.setBalances(.failure(.refused(function: "subaccount", type: "missed", object: nil, message: "Unknown")))
        let run = try engine(after: 3600).checkEvent()
        XCTAssertEqual(run.exitStatus, .ok)
        XCTAssertEqual(run.warnings, [])
        XCTAssertEqual(run.verboseWarnings.count, 1, "\(run.verboseWarnings)")
        XCTAssertEqual(try store.balance()?.balance.amount, 50_000, "the last reading stays")
        _ = try engine(after: 3700).checkEvent()
        XCTAssertEqual(server.callCount("subaccount"), 2)
    }

    func testOfSeveralSubaccountsTheCatalogueCurrencyIsTaken() throws {
        try store.saveCatalogue(Self.catalogue, at: "2026-11-24 00:00:00")
        server.setBalances(
            .success([AccountBalance(amount: 1, currency: "USD"), AccountBalance(amount: 2, currency: "EUR")]))
        _ = try engine().checkEvent()
        XCTAssertEqual(try store.balance()?.balance, AccountBalance(amount: 2, currency: "EUR"))
    }

    func testADryRunReadsNoBalance() throws {
        _ = try engine().checkEvent(dryRun: true)
        XCTAssertEqual(server.callCount("subaccount"), 0)
        XCTAssertNil(try store.balanceAskedAt())
    }

    // MARK: - Status

    private var today: Day { Day(year: 2026, month: 11, day: 25)! }
    private var now: FixedTime { FixedTime(start) }

    private static let fullCatalogue =
        catalogue + [
            Tariff(
                id: 55228, name: "Pro", active: true, itemType: "soft", currency: "EUR",
                periods: [
                    .init(id: 1, type: "month", length: 1, cost: "18.00"),
                    .init(id: 12, type: "month", length: 12, cost: "180.00"),
                    .init(id: -100, type: "trial", length: 14, cost: "0"),
                ])
        ]

    /// A license of `tariff` on service `service` (nil: none) expiring in `days`.
    @discardableResult
    private func license(
        _ id: Int, service: Int?, tariff: Int = 55227, period: Int = 1, expiresIn days: Int, name: String? = nil,
        ip: String? = nil, keyChanged: Day? = nil
    ) throws -> License {
        let license = License(
            id: id, name: name ?? "lic\(id)", ip: ip ?? "192.0.2.\(id % 250)", pricelist: tariff, period: period,
            status: .active, expires: today.adding(days: days), keyChanged: keyChanged, serviceID: service,
            addon: service.map { _ in "panel" })
        try store.save(license, at: "2026-11-01 00:00:00")
        if let service { try store.attach(license: id, to: service, addon: "panel") }
        return license
    }

    private func service(_ id: Int, status: Service.Status = .active, period: Int = 1) throws {
        try store.insert(
            Service(
                id: id, name: "vps\(id)", ip: "192.0.2.\(id)", period: period, addons: ["panel": "Lite"], status: status
            ),
            at: "2026-11-01 00:00:00")
    }

    private func status(maxAge: Int = 15) throws -> StatusReport {
        try StatusReport(store: store, config: config, time: now, maxAge: maxAge)
    }

    func testDueRenewalsTheirCostAndTheBalanceWarning() throws {
        try store.saveCatalogue(Self.fullCatalogue, at: "2026-11-24 00:00:00")
        for id in 1...5 { try service(id, status: id == 4 ? .suspended : .active) }
        try license(101, service: 1, expiresIn: 5)
        try license(102, service: 2, tariff: 55228, expiresIn: 20)
        try license(103, service: 3, expiresIn: 40)
        try license(104, service: 4, expiresIn: 3)  // suspended service: never renewed
        try license(105, service: 5, tariff: 55228, period: -100, expiresIn: 2)  // a trial
        try license(106, service: 3, expiresIn: 6)
        try store.setRenewedUntil(today.adding(days: 45), license: 106)  // licmgr paid it already
        try store.saveBalance(
            BalanceReading(balance: AccountBalance(amount: 50_000, currency: "EUR"), at: "2026-11-24 23:00:00"),
            askedAt: "2026-11-24 23:00:00")
        let status = try status()
        XCTAssertEqual(status.due30Days, StatusReport.Due(count: 2, cost: 280_000))
        XCTAssertEqual(status.due7Days, StatusReport.Due(count: 1, cost: 100_000))
        XCTAssertEqual(status.currency, "EUR")
        XCTAssertTrue(
            status.warnings.contains {
                $0.contains(
                    "5.00 EUR as read at 2026-11-24 23:00:00, will not cover the renewals of the next 7 days: 10.00 EUR"
                )
            }, "\(status.warnings)")
        XCTAssertFalse(status.problems.contains { $0.contains("balance") }, "a low balance is no --check failure")
    }

    func testSpentUnusedAndThePool() throws {
        try store.saveCatalogue(Self.fullCatalogue, at: "2026-11-24 00:00:00")
        for (key, daysAgo, cost) in [("a", 10, "100000"), ("b", 40, "180000")] {
            try store.insert(
                RemoteOperation(
                    key: key, kind: .order, serviceID: 1, addon: "panel", licenseID: nil, params: ["cost": cost],
                    state: .done, command: "order", createdAt: now.timestamp(secondsAgo: daysAgo * 86_400)))
        }
        try license(201, service: nil, tariff: 55228, period: 12, expiresIn: 100)
        try license(202, service: nil, expiresIn: 100)
        try license(
            203, service: nil, expiresIn: 100, name: License.parkedName, ip: License.parkedIP,
            keyChanged: today.adding(days: -10))
        try license(204, service: nil, expiresIn: 100, name: License.parkedName, ip: License.parkedIP)
        try license(205, service: nil, expiresIn: 10, name: License.parkedName, ip: License.parkedIP, keyChanged: today)
        let status = try status()
        XCTAssertEqual(status.spent30Days, 100_000)
        XCTAssertEqual(status.unused.map(\.license.id), [201, 202])
        XCTAssertEqual(status.unusedTotal.single, MonthlyCost(amount: 150_000 + 100_000, currency: "EUR"))
        XCTAssertEqual(status.freePool.map(\.license.id), [203, 204, 205])
        XCTAssertEqual(status.freePool[0].reusability, .from(today.adding(days: -10).adding(months: 1).adding(days: 1)))
        XCTAssertEqual(status.freePool[1].reusability, .now)
        guard case .never = status.freePool[2].reusability else {
            return XCTFail("it expires before its month of rest ends: \(status.freePool[2].reusability)")
        }
    }

    func testWithoutTheCatalogueCostsAreUnknown() throws {
        try service(1)
        try license(101, service: 1, expiresIn: 5)
        try license(201, service: nil, expiresIn: 100)
        let status = try status()
        XCTAssertNil(status.currency)
        XCTAssertEqual(status.due30Days, StatusReport.Due(count: 1, cost: nil))
        XCTAssertNil(status.spent30Days)
        XCTAssertEqual(status.unusedTotal.unpriced, 1)
    }

    private func run(_ command: String, minutesAgo: Int, exit: Int, counts: [String: Int] = [:]) throws {
        let at = now.timestamp(secondsAgo: minutesAgo * 60)
        try store.insert(RunRecord(command: command, startedAt: at, endedAt: at, exitCode: exit, counts: counts))
    }

    func testCheckWantsARecentSuccessfulCheckevent() throws {
        XCTAssertEqual(try status().problems, ["no checkevent has succeeded yet"])
        try run("checkevent", minutesAgo: 20, exit: 0)
        XCTAssertEqual(try status().problems.count, 1)
        XCTAssertEqual(try status(maxAge: 30).problems, [])
        try run("checkevent", minutesAgo: 5, exit: 0)
        XCTAssertEqual(try status().problems, [])
        try run("checkevent", minutesAgo: 1, exit: 69)
        XCTAssertEqual(try status().problems.count, 1)
        XCTAssertTrue(try status().problems[0].contains("failed with exit 69"))
    }

    func testCheckFailsOnStepsLongInDoubtAndHeldRenewals() throws {
        try run("checkevent", minutesAgo: 1, exit: 0)
        try store.insert(
            RemoteOperation(
                key: "fresh", kind: .order, serviceID: 1, addon: "panel", licenseID: nil, params: [:],
                command: "checkevent", createdAt: now.timestamp(secondsAgo: 600)))
        XCTAssertEqual(try status().problems, [], "in doubt, but not for long")
        XCTAssertEqual(try status().inDoubt, 1)
        try store.insert(
            RemoteOperation(
                key: "old", kind: .order, serviceID: 2, addon: "panel", licenseID: nil, params: [:],
                command: "checkevent", createdAt: now.timestamp(secondsAgo: config.settleAfter + 3601)))
        XCTAssertEqual(try status().problems.count, 1)
        try store.finish(operation: "old", state: .void, licenseID: nil, result: "not applied", at: now.timestamp)
        try store.finish(operation: "fresh", state: .void, licenseID: nil, result: "not applied", at: now.timestamp)

        try service(7)
        try license(107, service: 7, expiresIn: 0)
        try store.insert(
            RemoteOperation(
                key: "broke", kind: .renew, serviceID: 7, addon: "panel", licenseID: 107,
                params: ["expires_before": today.description], state: .failed,
                result: "refused:account: insufficient funds", command: "checkevent", createdAt: now.timestamp))
        let problems = try status().problems
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.contains("lack of funds: license 107") == true, "\(problems)")
        // Paid since, by whatever means: the term moved on.
        try license(107, service: 7, expiresIn: 30)
        XCTAssertEqual(try status().problems, [])

        try run("checkevent", minutesAgo: 0, exit: 75, counts: ["held": 2])
        XCTAssertTrue(try status().problems.contains { $0.contains("2 step(s) held by SpendLimit") })
    }
}
