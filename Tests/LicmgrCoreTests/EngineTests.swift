import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class EngineTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var store: SQLiteStore!
    private var server: FakeLicenseServer!
    private var config: Config!
    private let keys = SequentialKeys()
    private let time = FixedTime(day: Day(year: 2025, month: 6, day: 15)!)
    private let at = "2025-06-15 12:00:00"

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = try TemporaryDirectory()
        store = try SQLiteStore(path: dir.file("licmgr.db"))
        server = FakeLicenseServer()
        config = try ConfigParser().parse(
            "Price ipmgr 2891\nPeriod 10 1815 2891\nPeriod ALL 1817 2891\n", path: dir.file("licmgr.conf"))
    }

    override func tearDown() {
        store = nil
        dir = nil
        super.tearDown()
    }

    private func engine(_ command: String = "order", time: FixedTime? = nil) -> LicenseEngine {
        LicenseEngine(
            config: config, store: store, server: server, time: time ?? self.time, command: command, keys: keys)
    }

    @discardableResult
    private func addService(
        _ id: Int, addons: [String: String] = ["panel": "Lite"], period: Int? = 1, status: Service.Status = .active
    ) throws -> Service {
        let service = Service(
            id: id, name: "vps\(id)", ip: "192.0.2.\(id)", package: 12, period: period, addons: addons,
            status: status)
        try store.insert(service, at: at)
        return service
    }

    private func operations(_ state: RemoteOperation.State) throws -> [RemoteOperation] {
        try store.operations(state: state)
    }

    private func allOperations() throws -> [RemoteOperation] {
        try [RemoteOperation.State.pending, .done, .failed, .void].flatMap { try store.operations(state: $0) }
    }

    // MARK: - One read per run

    /// The passes of a run share one read of the licenses and one of the services while
    /// nothing is written, and see a write at once: the run's own, or another connection's.
    func testPassesShareWhatWasReadUntilSomethingIsWritten() throws {
        try addService(1)
        try addService(2)
        try store.save(
            License(
                id: 200_001, name: "vps1", ip: "192.0.2.1", pricelist: 55227, period: 1, status: .active,
                serviceID: 1, addon: "panel"), at: at)
        let engine = engine("checkevent")
        let read = try engine.knownLicenses()
        var passed: [License] = []
        try engine.forEachLicense { passed.append($0) }
        XCTAssertEqual(passed, read.values)
        try SQLiteStore(path: dir.file("licmgr.db")).attach(license: 200_001, to: nil, addon: nil)
        passed = []
        try engine.forEachLicense { passed.append($0) }
        XCTAssertEqual(passed.map(\.serviceID), [nil], "another connection's write")
        try store.attach(license: 200_001, to: 2, addon: "panel")
        XCTAssertEqual(try engine.knownLicenses()[200_001]?.serviceID, 2, "the run's own write")
        passed = []
        try engine.forEachLicense(matching: LicenseFilter(attached: true, statuses: [.processing])) {
            passed.append($0)
        }
        XCTAssertEqual(passed, [])

        XCTAssertEqual(try engine.services(includeClosed: false).map(\.id), [1, 2])
        var closed = try XCTUnwrap(store.service(1))
        closed.status = .closed
        try store.update(closed, at: at)
        XCTAssertEqual(try engine.services(includeClosed: false).map(\.id), [2])
        XCTAssertEqual(try engine.services(includeClosed: true).map(\.id), [1, 2])
    }

    // MARK: - Bounded runs

    /// Licenses found at a takeover keep their old names until later follow passes rename
    /// them, a capped number a run, so that no cron run grows with the account.
    func testRenamesOfFoundLicensesAreCappedPerRun() throws {
        for id in 1...3 {
            try addService(id)
            server.add(
                License(
                    id: 200_000 + id, name: "old \(id)", ip: "192.0.2.\(id)", pricelist: 55227, period: 1,
                    status: .active, expires: Day(year: 2026, month: 1, day: 1)))
        }
        func run() throws -> RunReport {
            let engine = engine("checkevent")
            engine.renamesPerRun = 2
            return try engine.checkEvent()
        }
        XCTAssertEqual(try run().count(.attached), 3)
        XCTAssertEqual(server.callCount("edit"), 0, "attaching renames nothing")
        let dryRun = engine("checkevent")
        dryRun.renamesPerRun = 2
        let plan = try dryRun.checkEvent(dryRun: true)
        XCTAssertEqual(plan.items.filter { $0.plan == .edited }.count, 2, "the dry run plans the cap's worth")
        XCTAssertTrue(plan.notes.contains { $0.hasPrefix("1 license(s) still to be renamed") }, "\(plan.notes)")
        let second = try run()
        XCTAssertEqual(second.count(.edited), 2)
        XCTAssertTrue(second.notes.contains { $0.hasPrefix("1 license(s) still to be renamed") }, "\(second.notes)")
        XCTAssertEqual(try run().count(.edited), 1)
        XCTAssertEqual(server.licenses.map(\.name), (1...3).map { "Item #\($0) addon vps\($0)" })
        XCTAssertEqual(try run().count(.edited), 0)
    }

    // MARK: - Ordering

    func testOrderCreatesOneLicense() throws {
        try addService(7)
        let report = try engine().order(serviceIDs: [7], dryRun: false)

        XCTAssertEqual(server.orders.count, 1)
        let request = try XCTUnwrap(server.orders.first)
        XCTAssertEqual(request.name, "Item #7 addon vps7")
        XCTAssertEqual(request.ip, "192.0.2.7")
        XCTAssertEqual(request.pricelist, 55227)
        XCTAssertEqual(request.period, 1)
        XCTAssertTrue(request.remoteID.hasPrefix("lm-test-"), request.remoteID)

        XCTAssertEqual(report.count(.ordered), 1)
        XCTAssertEqual(report.exitStatus, .ok)
        XCTAssertNil(report.stopped)
        let attached = try store.licenses(serviceID: 7)
        XCTAssertEqual(attached.map(\.id), [100001])
        XCTAssertEqual(attached.first?.addon, "panel")
        XCTAssertEqual(attached.first?.remoteID, request.remoteID)

        let done = try operations(.done)
        XCTAssertEqual(done.count, 1)
        XCTAssertEqual(done.first?.key, request.remoteID)
        XCTAssertEqual(done.first?.licenseID, 100001)
        XCTAssertEqual(try operations(.pending), [])
    }

    func testOrderUsesResolvedTariffAndPeriod() throws {
        try addService(7, addons: ["ipmgr": "on"], period: 10)
        try addService(8, addons: ["ipmgr": "on"], period: 11)
        _ = try engine().order(serviceIDs: [7, 8], dryRun: false)
        XCTAssertEqual(server.orders.map(\.pricelist), [2891, 2891])
        XCTAssertEqual(server.orders.map(\.period), [1815, 1817])
    }

    func testOrderAgainDoesNothing() throws {
        try addService(7)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        let again = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
        XCTAssertEqual(again.count(.unchanged), 1)
        XCTAssertEqual(again.count(.ordered), 0)
        XCTAssertEqual(again.exitStatus, .ok)
        XCTAssertEqual(try store.licenses(serviceID: 7).count, 1)
    }

    func testSameServiceTwiceInOneRunOrdersOnce() throws {
        try addService(7)
        _ = try engine().order(serviceIDs: [7, 7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
    }

    func testLiveUnattachedLicenseWithSameIPAndTariffIsAttached() throws {
        try addService(7)
        server.add(
            License(
                id: 555, name: "bought by hand", ip: "192.0.2.7", pricelist: 55227, period: 1, status: .active,
                expires: Day(year: 2026, month: 1, day: 1)))
        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 0)
        XCTAssertEqual(report.count(.attached), 1)
        let attached = try store.licenses(serviceID: 7)
        XCTAssertEqual(attached.map(\.id), [555])
        XCTAssertEqual(attached.first?.addon, "panel")
    }

    /// Tariff 2891 is no edition licmgr knows of ISPmanager 6: not taken for a Lite need.
    func testLicenseOfAnotherProductIsNotAttached() throws {
        try addService(7)
        server.add(License(id: 555, name: "x", ip: "192.0.2.7", pricelist: 2891, status: .active))
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.id), [100001])
    }

    func testLicenseOfAnotherEditionIsAttachedAndMoved() throws {
        try addService(7)
        server.add(License(id: 555, name: "x", ip: "192.0.2.7", pricelist: 55228, status: .active))
        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 0)
        XCTAssertEqual(server.callCount("changepricelist"), 1)
        XCTAssertEqual(report.count(.attached), 1)
        XCTAssertEqual(report.count(.retariffed), 1)
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.pricelist), [55227])
    }

    func testDeletedLicenseIsNotAttached() throws {
        try addService(7)
        server.add(License(id: 555, name: "x", ip: "192.0.2.7", pricelist: 55227, status: .deleted))
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
    }

    func testLicenseAttachedToAnotherServiceIsNotTaken() throws {
        try addService(7)
        try addService(8)
        let taken = License(id: 555, name: "Item #8 addon vps8", ip: "192.0.2.7", pricelist: 55227, status: .active)
        server.add(taken)
        try store.save(taken, at: at)
        try store.attach(license: 555, to: 8, addon: "panel")

        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
        XCTAssertEqual(report.count(.attached), 0)
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.id), [100001])
        XCTAssertEqual(try store.license(555)?.serviceID, 8)
    }

    // MARK: - Doubt

    func testLostAnswerAfterCommitLeavesOperationPendingAndStops() throws {
        try addService(7)
        try addService(9)
        server.failNextOrder(.commitThenLose)
        let report = try engine().order(serviceIDs: [7, 9], dryRun: false)

        guard case .answerLost? = report.stopped else {
            return XCTFail("not stopped: \(String(describing: report.stopped))")
        }
        XCTAssertEqual(report.exitStatus.rawValue, 75)
        XCTAssertEqual(report.count(.inDoubt), 1)
        XCTAssertEqual(server.callCount("order"), 1, "the batch must stop after an answer in doubt")
        XCTAssertEqual(try operations(.pending).count, 1)
        XCTAssertEqual(try operations(.pending).first?.serviceID, 7)
        XCTAssertEqual(try store.licenses(serviceID: 7), [])
    }

    func testNextRunSettlesLostOrderWithoutOrderingAgain() throws {
        try addService(7)
        server.failNextOrder(.commitThenLose)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        let created = try XCTUnwrap(server.licenses.first)

        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1)
        XCTAssertEqual(report.count(.settled), 1)
        XCTAssertEqual(report.exitStatus, .ok)
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.id), [created.id])
        XCTAssertEqual(try store.licenses(serviceID: 7).first?.addon, "panel")
        XCTAssertEqual(try operations(.pending), [])
        XCTAssertEqual(try operations(.done).first?.licenseID, created.id)
    }

    func testSyncAlsoSettlesLostOrder() throws {
        try addService(7)
        server.failNextOrder(.commitThenLose)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        _ = try engine("sync").sync()
        XCTAssertEqual(try operations(.pending), [])
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.id), [100001])
    }

    func testTimedOutOrderIsWaitedForThenSettledVoidAndOrderedOnce() throws {
        try addService(7)
        server.failNextOrder(.fail(.timedOut(function: "soft.order.param", seconds: 60)))
        let first = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(first.exitStatus.rawValue, 75)
        XCTAssertEqual(try operations(.pending).count, 1)
        XCTAssertTrue(server.licenses.isEmpty)

        let soon = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 1, "a timed-out order may still be running on the remote")
        XCTAssertEqual(soon.count(.inDoubt), 1)
        XCTAssertEqual(soon.exitStatus.rawValue, 75)

        let later = FixedTime(time.instant.addingTimeInterval(TimeInterval(config.settleAfter + 1)))
        let second = try engine(time: later).order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 2)
        XCTAssertEqual(second.count(.settled), 1)
        XCTAssertEqual(second.count(.ordered), 1)
        XCTAssertEqual(try operations(.void).count, 1)
        XCTAssertEqual(try operations(.done).count, 1)
        XCTAssertEqual(try operations(.pending), [])
        XCTAssertEqual(try store.licenses(serviceID: 7).count, 1)
    }

    func testAnsweredFailureIsSettledAtOnce() throws {
        try addService(7)
        server.failNextOrder(.fail(.serverFailure(function: "soft.order.param", status: 502)))
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        let second = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(second.count(.settled), 1)
        XCTAssertEqual(second.count(.ordered), 1)
        XCTAssertEqual(server.callCount("order"), 2)
    }

    func testRefusedOrderFailsOnlyThatItem() throws {
        try addService(7)
        try addService(9)
        server.failNextOrder(
            .fail(
                .refused(
                    function: "soft.order.param", type: "exists", object: nil,
                    message: "a license with the same IP address already exists")))
        let report = try engine().order(serviceIDs: [7, 9], dryRun: false)

        XCTAssertNil(report.stopped)
        XCTAssertEqual(report.exitStatus.rawValue, 1)
        XCTAssertEqual(report.failures.map(\.serviceID), [7])
        XCTAssertEqual(report.count(.ordered), 1)
        XCTAssertEqual(server.callCount("order"), 2)
        XCTAssertEqual(try store.licenses(serviceID: 7), [])
        XCTAssertEqual(try store.licenses(serviceID: 9).count, 1)
        let failed = try operations(.failed)
        XCTAssertEqual(failed.map(\.serviceID), [7])
        XCTAssertTrue(failed.first?.result?.hasPrefix("refused:exists") ?? false, failed.first?.result ?? "nil")
        XCTAssertEqual(try operations(.pending), [])
    }

    func testUnreachableStopsTheBatchWithoutDoubt() throws {
        try addService(7)
        try addService(9)
        server.failNextOrder(.fail(.unreachable(url: "https://x", detail: "refused")))
        let report = try engine().order(serviceIDs: [7, 9], dryRun: false)
        XCTAssertEqual(report.exitStatus.rawValue, 69)
        XCTAssertEqual(server.callCount("order"), 1)
        XCTAssertEqual(try operations(.pending), [])
        // The second order was journaled with the first, in one commit, and is closed as never sent.
        XCTAssertEqual(
            try operations(.failed).map { $0.result?.hasPrefix("not sent: the run stopped") ?? false }, [false, true])
    }

    // MARK: - Refusals before sending

    func testUnknownServiceThrowsBeforeAnyCall() throws {
        try addService(7)
        XCTAssertThrowsError(try engine().order(serviceIDs: [7, 99], dryRun: false)) { error in
            XCTAssertEqual(error as? InputError, .unknownService(99))
        }
        XCTAssertEqual(server.calls, [])
        XCTAssertEqual(try allOperations(), [])
    }

    func testDryRunOrdersNothingAndJournalsNothing() throws {
        try addService(7)
        let report = try engine().order(serviceIDs: [7], dryRun: true)
        XCTAssertEqual(server.callCount("order"), 0)
        XCTAssertEqual(report.count(.planned), 1)
        XCTAssertTrue(report.dryRun)
        XCTAssertEqual(try allOperations(), [])
        XCTAssertEqual(try store.licenses(serviceID: 7), [])
    }

    func testDryRunDoesNotAttach() throws {
        try addService(7)
        server.add(License(id: 555, name: "x", ip: "192.0.2.7", pricelist: 55227, status: .active))
        let report = try engine().order(serviceIDs: [7], dryRun: true)
        XCTAssertEqual(report.count(.planned), 1)
        XCTAssertEqual(try store.licenses(serviceID: 7), [])
    }

    func testSuspendedServiceIsNotOrdered() throws {
        try addService(7, status: .suspended)
        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 0)
        XCTAssertEqual(report.failures.map(\.serviceID), [7])
        XCTAssertEqual(try allOperations(), [])
    }

    func testServiceWithoutLicenseAddonOrdersNothing() throws {
        try addService(7, addons: ["panel": "nopanel"])
        let report = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 0)
        XCTAssertEqual(report.exitStatus, .ok)
    }

    func testOneOrderPerLicenseBearingAddon() throws {
        try addService(7, addons: ["panel": "Pro", "ipmgr": "on", "backup": "off"], period: 10)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.orders.map(\.pricelist).sorted(), [2891, 55228])
        XCTAssertEqual(Set(try store.licenses(serviceID: 7).compactMap(\.addon)), ["ipmgr", "panel"])
    }

    // MARK: - Sync

    func testSyncDiscoversAndMarksGone() throws {
        try addService(7)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        server.add(License(id: 600, name: "other", ip: "198.51.100.1", pricelist: 55227, status: .active))

        let first = try engine("sync").sync()
        XCTAssertEqual(first.count(.discovered), 1)
        XCTAssertEqual(first.items.first { $0.action == .discovered }?.licenseID, 600)
        XCTAssertNotNil(try store.license(600))
        XCTAssertEqual(try store.license(100001)?.serviceID, 7, "sync keeps the attachment")

        server.remove(100001)
        let second = try engine("sync").sync()
        XCTAssertEqual(second.count(.gone), 1)
        XCTAssertEqual(second.count(.discovered), 0)
        let gone = try XCTUnwrap(try store.license(100001))
        XCTAssertTrue(gone.gone)
        XCTAssertFalse(try store.license(600)!.gone)
        XCTAssertTrue(try store.history(serviceID: nil, licenseID: 100001).contains { $0.result == "gone" })
    }

    func testGoneLicenseIsReplacedByANewOrder() throws {
        try addService(7)
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        server.remove(100001)
        _ = try engine("sync").sync()
        _ = try engine().order(serviceIDs: [7], dryRun: false)
        XCTAssertEqual(server.callCount("order"), 2)
    }
}
