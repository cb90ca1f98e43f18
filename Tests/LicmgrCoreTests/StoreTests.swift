import CSQLite
import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class StoreTests: XCTestCase {
    private var dir: TemporaryDirectory!
    private var path: String { dir.file("licmgr.db") }
    private let at = "2025-01-02 03:04:05"

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = try TemporaryDirectory()
    }

    override func tearDown() {
        dir = nil
        super.tearDown()
    }

    private func userVersion(_ store: SQLiteStore) throws -> Int? {
        try store.db.query("PRAGMA user_version").first?.int("user_version")
    }

    private func service(_ id: Int = 7) -> Service {
        Service(
            id: id, name: "vps\(id)", ip: "192.0.2.\(id)", package: 12, period: 1,
            addons: ["panel": "Lite", "ipmgr": "on"], status: .active)
    }

    private func license(_ id: Int = 100001, serviceID: Int? = nil, addon: String? = nil) -> License {
        License(
            id: id, name: "Item #7 addon vps7", ip: "192.0.2.7", pricelist: 55227, period: 1, status: .active,
            expires: Day(year: 2030, month: 1, day: 1), created: Day(year: 2025, month: 1, day: 1), key: "KEY",
            remoteID: "lm-test-1", autoprolong: "off", serviceID: serviceID, addon: addon)
    }

    private func operation(_ key: String, service: Int? = 7) -> RemoteOperation {
        RemoteOperation(
            key: key, kind: .order, serviceID: service, addon: "panel", licenseID: nil,
            params: ["pricelist": "55227", "ip": "192.0.2.7"], command: "order", createdAt: at)
    }

    private func entry(service: Int?, license: Int?, _ detail: String) -> HistoryEntry {
        HistoryEntry(
            at: at, command: "test", serviceID: service, licenseID: license, action: "a", result: "ok", detail: detail)
    }

    // MARK: - File and schema

    func testNewFileIsPrivate() throws {
        _ = try SQLiteStore(path: path)
        XCTAssertEqual(try dir.mode(of: "licmgr.db"), 0o600)
    }

    func testMissingDirectoryIsCreated() throws {
        _ = try SQLiteStore(path: dir.file("sub/dir/licmgr.db"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("sub/dir/licmgr.db")))
    }

    /// A path under a file, where nothing can be made, whoever runs: the error names the
    /// database and the system's reason, never the temporary name it is built under.
    func testADatabaseThatCannotBeMadeIsNamedWithTheReason() throws {
        try dir.write("file", "")
        for (database, reason) in [
            (dir.file("file/licmgr.db"), "cannot create it in \(dir.file("file")): Not a directory"),
            (dir.file("file/sub/licmgr.db"), "cannot create directory \(dir.file("file/sub")): Not a directory"),
        ] {
            XCTAssertEqual(SQLiteDatabase.writeProblem(at: database), .cannotOpen(path: database, reason: reason))
            XCTAssertThrowsError(try SQLiteStore(path: database)) { error in
                XCTAssertEqual("\(error)", "database \(database): \(reason)")
            }
        }
        XCTAssertNil(SQLiteDatabase.writeProblem(at: dir.file("sub/dir/licmgr.db")), "its directories can be made")
        XCTAssertNil(SQLiteDatabase.writeProblem(at: path))
        _ = try SQLiteStore(path: path)
        XCTAssertNil(SQLiteDatabase.writeProblem(at: path))
    }

    func testReadOnlyOpenReadsAndCannotWrite() throws {
        do {
            let store = try SQLiteStore(path: path)
            try store.insert(service(), at: at)
        }
        let reader = try SQLiteStore(path: path, readOnly: true)
        XCTAssertEqual(try reader.services(includeClosed: true).map(\.id), [7])
        XCTAssertThrowsError(try reader.insert(service(8), at: at)) { error in
            guard case .sqlite(let named, let code, _)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(named, path)
            XCTAssertEqual(code & 0xff, SQLITE_READONLY)
        }
    }

    /// Read-only is for a database already up to date: a missing one is made, an older one
    /// migrated, as any command would.
    func testReadOnlyOpenMakesOrMigratesAsAnyOpenWould() throws {
        XCTAssertEqual(try userVersion(try SQLiteStore(path: path, readOnly: true)), Schema.version)
        let older = dir.file("older.db")
        do {
            let old = try SQLiteDatabase(path: older)
            try old.execute(Schema.migrations[0])
            try old.execute("PRAGMA user_version = 1")
        }
        XCTAssertEqual(try userVersion(try SQLiteStore(path: older, readOnly: true)), Schema.version)
    }

    func testUserVersionIsMigrationCount() throws {
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try userVersion(store), Schema.migrations.count)
        XCTAssertGreaterThan(Schema.migrations.count, 0)
    }

    func testReopeningKeepsDataAndVersion() throws {
        do {
            let store = try SQLiteStore(path: path)
            try store.insert(service(), at: at)
        }
        let reopened = try SQLiteStore(path: path)
        XCTAssertEqual(try userVersion(reopened), Schema.migrations.count)
        XCTAssertEqual(try reopened.service(7), service())
    }

    func testNewerSchemaIsTooNew() throws {
        do {
            let db = try SQLiteDatabase(path: path)
            try db.execute("PRAGMA user_version = \(Schema.migrations.count + 5)")
        }
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(
                error as? StoreError,
                .tooNew(path: path, version: Schema.migrations.count + 5, supported: Schema.migrations.count))
            XCTAssertEqual(ExitStatus.of(error).rawValue, 74)
        }
    }

    /// The WAL and its index stay, emptied, for readers who may not create them (a monitoring
    /// user); nothing of the database's making under a temporary name does.
    func testNewDatabaseIsWALAndLeavesOnlyItsWALBesideIt() throws {
        do {
            let store = try SQLiteStore(path: path)
            XCTAssertEqual(try store.db.query("PRAGMA journal_mode").first?.string("journal_mode"), "wal")
            try store.insert(service(), at: at)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), Self.databaseFiles)
        let wal = try FileManager.default.attributesOfItem(atPath: path + "-wal")
        XCTAssertEqual(wal[.size] as? Int, 0, "checkpointed and emptied when the last connection closed")
    }

    static let databaseFiles = ["licmgr.db", "licmgr.db-shm", "licmgr.db-wal"]

    func testRunsOpeningANewPathTogetherAllGetTheOneDatabase() throws {
        let failures = opening(path, times: 8)
        XCTAssertEqual(failures, [])
        XCTAssertEqual(try userVersion(try SQLiteStore(path: path)), Schema.version)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), Self.databaseFiles)
    }

    func testRunsOpeningAnOldDatabaseTogetherMigrateItOnce() throws {
        do {
            let old = try SQLiteDatabase(path: path)
            try old.execute(Schema.migrations[0])
            try old.execute("PRAGMA user_version = 1")
            try old.execute("PRAGMA journal_mode = WAL")
        }
        XCTAssertEqual(opening(path, times: 8), [])
        XCTAssertEqual(try userVersion(try SQLiteStore(path: path)), Schema.version)
    }

    /// Money moved from hundredths to ten-thousandths: what a version-5 database holds in
    /// hundredths reads as the same amounts after the migration.
    func testMigrationSixTurnsStoredHundredthsIntoTenThousandths() throws {
        let recent = "2099-01-01 00:00:00"
        do {
            let old = try SQLiteDatabase(path: path)
            for step in 0..<5 { try old.execute(Schema.migrations[step]) }
            try old.execute("PRAGMA user_version = 5")
            try old.execute(
                """
                INSERT INTO balance (id, amount, currency, read_at, asked_at) VALUES (1, -350, 'EUR', '\(at)', '\(at)');
                INSERT INTO operations (key, kind, params, state, result, command, created_at, updated_at) VALUES
                    ('a', 'order', '{"cost":"1000","ip":"10.0.0.1","pricelist":"55227"}', 'done', NULL, 'order',
                     '\(recent)', '\(recent)'),
                    ('b', 'renew', '{"cost":"1234","period":"1"}', 'pending', NULL, 'renew', '\(recent)', '\(recent)'),
                    ('c', 'suspend', '{}', 'done', NULL, 'checkevent', '\(recent)', '\(recent)');
                """)
        }
        let store = try SQLiteStore(path: path)
        XCTAssertEqual(try userVersion(store), Schema.version)
        XCTAssertEqual(try store.balance()?.balance, AccountBalance(amount: -35_000, currency: "EUR"))
        let params = Dictionary(uniqueKeysWithValues: try store.operations(state: .done).map { ($0.key, $0.params) })
        XCTAssertEqual(params["a"], ["cost": "100000", "ip": "10.0.0.1", "pricelist": "55227"])
        XCTAssertEqual(params["c"], [:])
        XCTAssertEqual(try store.operations(state: .pending).first?.params, ["cost": "123400", "period": "1"])
        XCTAssertEqual(try store.spent(since: recent), 223_400)
    }

    /// Opens the store at `path` from `times` threads at once; the errors, as text.
    private func opening(_ path: String, times: Int) -> [String] {
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var texts: [String] = []
        }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: times) { _ in
            do {
                _ = try SQLiteStore(path: path)
            } catch {
                failures.lock.withLock { failures.texts.append(String(describing: error)) }
            }
        }
        return failures.texts
    }

    func testEmptyFileIsNotLicmgrsAndStaysEmpty() throws {
        try dir.write("licmgr.db", "")
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .notLicmgr(path: path, what: "the file is empty"))
            XCTAssertTrue(String(describing: error).contains(path))
            XCTAssertEqual(ExitStatus.of(error).rawValue, 74)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data())
    }

    func testAnotherProgramsDatabaseIsNotLicmgrsAndStaysUntouched() throws {
        do {
            let other = try SQLiteDatabase(path: path)
            try other.execute("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(
                error as? StoreError, .notLicmgr(path: path, what: "an SQLite database without licmgr's tables"))
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), before)
    }

    func testFileThatIsNotSQLiteIsNotLicmgrs() throws {
        try dir.write("licmgr.db", "Url https://billing.example.com\n")
        XCTAssertThrowsError(try SQLiteStore(path: path)) { error in
            XCTAssertEqual(error as? StoreError, .notLicmgr(path: path, what: "not an SQLite file"))
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "Url https://billing.example.com\n")
    }

    func testThrowingTransactionWritesNothing() throws {
        struct Boom: Error {}
        let store = try SQLiteStore(path: path)
        XCTAssertThrowsError(
            try store.transaction {
                try store.insert(service(7), at: at)
                try store.append(entry(service: 7, license: nil, "added"))
                throw Boom()
            }
        ) { error in
            XCTAssertTrue(error is Boom)
        }
        XCTAssertNil(try store.service(7))
        XCTAssertEqual(try store.history(serviceID: nil, licenseID: nil), [])
        // The connection is usable again after the rollback.
        try store.transaction { try store.insert(service(8), at: at) }
        XCTAssertNotNil(try store.service(8))
    }

    // MARK: - Services

    func testServiceRoundTrip() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        XCTAssertEqual(try store.service(7), service(7))
        XCTAssertNil(try store.service(8))
    }

    func testServiceUpdateReplacesAddons() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        var changed = service(7)
        changed.addons = ["panel": "Pro"]
        changed.ip = "198.51.100.1"
        changed.package = nil
        try store.update(changed, at: at)
        XCTAssertEqual(try store.service(7), changed)
    }

    func testClosedServicesHiddenUnlessAsked() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        var closed = service(8)
        closed.status = .closed
        try store.insert(closed, at: at)
        XCTAssertEqual(try store.services(includeClosed: false).map(\.id), [7])
        XCTAssertEqual(try store.services(includeClosed: true).map(\.id), [7, 8])
    }

    // MARK: - Licenses

    func testLicenseRoundTrip() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        let original = license(serviceID: 7, addon: "panel")
        try store.save(original, at: at)
        XCTAssertEqual(try store.license(100001), original)
    }

    func testLaterSaveKeepsAttachmentAndKnownKey() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        try store.save(license(serviceID: 7, addon: "panel"), at: at)
        var fromList = license()
        fromList.key = nil
        fromList.status = .suspended
        fromList.ip = "198.51.100.9"
        try store.save(fromList, at: at)
        let stored = try XCTUnwrap(try store.license(100001))
        XCTAssertEqual(stored.serviceID, 7)
        XCTAssertEqual(stored.addon, "panel")
        XCTAssertEqual(stored.key, "KEY")
        XCTAssertEqual(stored.status, .suspended)
        XCTAssertEqual(stored.ip, "198.51.100.9")
    }

    func testAttachAndFreeLists() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(service(7), at: at)
        try store.save(license(100001), at: at)
        try store.save(license(100002), at: at)
        try store.attach(license: 100002, to: 7, addon: "panel")
        XCTAssertEqual(try store.licenses(serviceID: 7).map(\.id), [100002])
        XCTAssertEqual(try store.licenses(serviceID: 7).first?.addon, "panel")
        XCTAssertEqual(try store.licenses(serviceID: nil).map(\.id), [100001])
        XCTAssertEqual(try store.allLicenses().map(\.id), [100001, 100002])
        try store.attach(license: 100002, to: nil, addon: nil)
        XCTAssertEqual(try store.licenses(serviceID: 7), [])
    }

    func testMarkGone() throws {
        let store = try SQLiteStore(path: path)
        try store.save(license(), at: at)
        try store.markGone(license: 100001, at: at)
        let stored = try XCTUnwrap(try store.license(100001))
        XCTAssertTrue(stored.gone)
        XCTAssertFalse(stored.isLive)
    }

    // MARK: - Journal and history

    func testOperationPendingThenFinished() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(operation("lm-test-1"))
        try store.insert(operation("lm-test-2"))
        let pending = try store.operations(state: .pending)
        XCTAssertEqual(pending.map(\.key), ["lm-test-1", "lm-test-2"])
        XCTAssertEqual(pending.first?.params, ["pricelist": "55227", "ip": "192.0.2.7"])
        XCTAssertEqual(pending.first?.addon, "panel")

        try store.finish(operation: "lm-test-1", state: .done, licenseID: 100001, result: "ordered", at: at)
        XCTAssertEqual(try store.operations(state: .pending).map(\.key), ["lm-test-2"])
        let done = try XCTUnwrap(try store.operations(state: .done).first)
        XCTAssertEqual(done.key, "lm-test-1")
        XCTAssertEqual(done.licenseID, 100001)
        XCTAssertEqual(done.result, "ordered")
        XCTAssertEqual(done.state, .done)
    }

    /// The counters of the metrics file: settled steps and their cost only, so that a step in
    /// doubt counts once, when settled, and no total ever falls.
    func testTotalsCountSettledStepsAndRunsByExitCode() throws {
        let store = try SQLiteStore(path: path)
        for (key, cost) in [("a", "100000"), ("b", "250000"), ("c", "70000"), ("d", "90000")] {
            var step = operation(key)
            step.params["cost"] = cost
            try store.insert(step)
        }
        var renewal = operation("e")
        renewal.kind = .renew
        try store.insert(renewal)
        try store.finish(operation: "a", state: .done, licenseID: 1, result: "ordered", at: at)
        try store.finish(operation: "b", state: .done, licenseID: 2, result: "ordered", at: at)
        try store.finish(operation: "c", state: .failed, licenseID: nil, result: "refused", at: at)
        try store.finish(operation: "e", state: .done, licenseID: 1, result: "renewed", at: at)
        XCTAssertEqual(
            try store.stepTotals(),
            [
                StepTotal(kind: .order, state: .done, count: 2), StepTotal(kind: .order, state: .failed, count: 1),
                StepTotal(kind: .renew, state: .done, count: 1),
            ])
        XCTAssertEqual(try store.spentTotal(), 350000, "the step in doubt (d) and the refused one (c) are not paid")
        XCTAssertEqual(try store.spent(since: at), 440000, "what status counts: steps in doubt may have been paid")

        for code in [0, 0, 69, 0] {
            try store.insert(RunRecord(command: "checkevent", startedAt: at, endedAt: at, exitCode: code))
        }
        try store.insert(RunRecord(command: "order", startedAt: at, endedAt: at, exitCode: 1))
        XCTAssertEqual(
            try store.runTotals(),
            [
                RunTotal(command: "checkevent", exitCode: 0, count: 3),
                RunTotal(command: "checkevent", exitCode: 69, count: 1),
                RunTotal(command: "order", exitCode: 1, count: 1),
            ])
    }

    func testFinishWithoutLicenseKeepsEarlierLicense() throws {
        let store = try SQLiteStore(path: path)
        var op = operation("lm-test-1")
        op.licenseID = 5
        try store.insert(op)
        try store.finish(operation: "lm-test-1", state: .failed, licenseID: nil, result: "refused:value: x", at: at)
        XCTAssertEqual(try store.operations(state: .failed).first?.licenseID, 5)
    }

    func testEveryStepComesOldestFirstThenInDoubtFailedVoidDone() throws {
        let store = try SQLiteStore(path: path)
        let states: [(String, RemoteOperation.State, String)] = [
            ("done-1", .done, at), ("pending-1", .pending, at), ("late", .pending, "2025-01-02 03:04:06"),
            ("void-1", .void, at), ("failed-1", .failed, at), ("pending-2", .pending, at),
            ("early", .done, "2025-01-01"),
        ]
        for (key, state, created) in states {
            var step = operation(key)
            step.createdAt = created
            try store.insert(step)
            if state != .pending { try store.finish(operation: key, state: state, licenseID: nil, result: "", at: at) }
        }
        var keys: [String] = []
        try store.forEachOperation { keys.append($0.key) }
        XCTAssertEqual(keys, ["early", "pending-1", "pending-2", "failed-1", "void-1", "done-1", "late"])
    }

    func testDuplicateOperationKeyIsRejected() throws {
        let store = try SQLiteStore(path: path)
        try store.insert(operation("lm-test-1"))
        XCTAssertThrowsError(try store.insert(operation("lm-test-1")))
    }

    func testHistoryFiltering() throws {
        let store = try SQLiteStore(path: path)
        try store.append(entry(service: 7, license: nil, "s7"))
        try store.append(entry(service: 7, license: 100001, "s7 l1"))
        try store.append(entry(service: 8, license: 100002, "s8 l2"))
        try store.append(entry(service: nil, license: 100001, "l1"))
        XCTAssertEqual(try store.history(serviceID: nil, licenseID: nil).map(\.detail), ["s7", "s7 l1", "s8 l2", "l1"])
        XCTAssertEqual(try store.history(serviceID: 7, licenseID: nil).map(\.detail), ["s7", "s7 l1"])
        XCTAssertEqual(try store.history(serviceID: nil, licenseID: 100001).map(\.detail), ["s7 l1", "l1"])
        XCTAssertEqual(try store.history(serviceID: 9, licenseID: nil), [])
    }

    func testHistorySinceADayAndTheLastFew() throws {
        let store = try SQLiteStore(path: path)
        for (at, service, detail) in [
            ("2026-03-01 23:59:59", 7, "a"), ("2026-03-02 00:00:00", 8, "b"), ("2026-03-02 12:00:00", 7, "c"),
            ("2026-03-03 08:00:00", 7, "d"),
        ] {
            try store.append(
                HistoryEntry(
                    at: at, command: "test", serviceID: service, licenseID: nil, action: "a", result: "ok",
                    detail: detail))
        }
        func details(service: Int? = nil, since: String? = nil, limit: Int? = nil) throws -> [String] {
            var found: [String] = []
            try store.forEachHistoryEntry(
                serviceID: service, licenseID: nil, since: since.flatMap(Day.init), limit: limit
            ) { found.append($0.detail) }
            return found
        }
        XCTAssertEqual(try details(since: "2026-03-02"), ["b", "c", "d"], "the day itself counts, from midnight")
        XCTAssertEqual(try details(limit: 2), ["c", "d"], "the last two, oldest first")
        XCTAssertEqual(try details(service: 7, since: "2026-03-02", limit: 5), ["c", "d"])
        XCTAssertEqual(try details(service: 7, limit: 2), ["c", "d"])
        XCTAssertEqual(try details(since: "2026-03-04"), [])
    }

    func testEmptyCatalogue() throws {
        XCTAssertTrue(try SQLiteStore(path: path).catalogue().isEmpty)
    }

    func testCatalogueKeepsEachTariffsPeriodsInOrderAndHidesGoneOnes() throws {
        let store = try SQLiteStore(path: path)
        let lite = Tariff(
            id: 55227, name: "Lite", active: true, itemType: "soft", currency: "EUR",
            periods: [
                .init(id: 12, type: "year", length: 1, cost: "100.00"),
                .init(id: 1, type: "month", length: 1, cost: "9.00"),
            ])
        let bare = Tariff(id: 55228, name: "Bare", active: false, itemType: "soft", currency: "EUR", periods: [])
        try store.saveCatalogue([lite, bare], at: at)
        try store.saveCatalogue([lite], at: at)
        let sorted = Tariff(
            id: lite.id, name: lite.name, active: lite.active, itemType: lite.itemType, currency: lite.currency,
            periods: lite.periods.sorted { $0.id < $1.id })
        XCTAssertEqual(try store.catalogue(), Catalogue(tariffs: [55227: sorted]))
        XCTAssertEqual(try store.catalogue(includeGone: true), Catalogue(tariffs: [55227: sorted, 55228: bare]))
    }

    func testServicesComeWithTheirOwnAddonsInIdOrder() throws {
        let store = try SQLiteStore(path: path)
        var bare = service(3)
        bare.addons = [:]
        for one in [service(9), bare, service(5)] { try store.insert(one, at: at) }
        XCTAssertEqual(try store.services(includeClosed: false), [bare, service(5), service(9)])
        var streamed: [Service] = []
        try store.forEachService(includeClosed: false) { streamed.append($0) }
        XCTAssertEqual(streamed, [bare, service(5), service(9)])
    }

    func testStreamedLicensesAreTheListedOnes() throws {
        let store = try SQLiteStore(path: path)
        for id in [100003, 100001, 100002] { try store.save(license(id), at: at) }
        var streamed: [License] = []
        try store.forEachLicense { streamed.append($0) }
        XCTAssertEqual(streamed, try store.allLicenses())
        XCTAssertEqual(streamed.map(\.id), [100001, 100002, 100003])
    }

    /// A filtered read hands over what the filter's own reading of each license passes, also
    /// for rows written otherwise than licmgr writes them: an expiry with a time, a status no
    /// version knows (read as ordered).
    func testAFilteredReadHandsOverWhatTheFilterMatches() throws {
        let store = try SQLiteStore(path: path)
        for id in 7...9 { try store.insert(service(id), at: at) }
        var unattached = license(100001)
        unattached.expires = Day(year: 2025, month: 1, day: 1)
        var due = license(100002, serviceID: 7, addon: "panel")
        due.expires = Day(year: 2025, month: 3, day: 1)
        var later = license(100003, serviceID: 7, addon: "panel")
        later.expires = Day(year: 2025, month: 3, day: 2)
        var undated = license(100004, serviceID: 8, addon: "panel")
        undated.expires = nil
        var waiting = license(100005, serviceID: 9, addon: "panel")
        waiting.status = .processing
        var ordered = license(100006, serviceID: 9, addon: "panel")
        ordered.status = .ordered
        for one in [unattached, due, later, undated, waiting, ordered] { try store.save(one, at: at) }
        for id in 100007...100008 { try store.save(license(id, serviceID: 9, addon: "panel"), at: at) }
        try store.db.run("UPDATE licenses SET expires = '2025-03-01 10:00:00' WHERE id = 100007")
        try store.db.run("UPDATE licenses SET status = 9 WHERE id = 100008")
        let all = try store.allLicenses()
        let filters = [
            LicenseFilter(), LicenseFilter(attached: true),
            LicenseFilter(attached: true, expiringBy: Day(year: 2025, month: 3, day: 1)),
            LicenseFilter(expiringBy: Day(year: 2025, month: 3, day: 2)),
            LicenseFilter(attached: true, statuses: [.ordered, .processing]),
            LicenseFilter(statuses: [.processing]),
        ]
        for filter in filters {
            var read: [Int] = []
            try store.forEachLicense(matching: filter) { read.append($0.id) }
            XCTAssertEqual(read, all.filter(filter.matches).map(\.id), "\(filter)")
        }
        var due1March: [Int] = []
        try store.forEachLicense(matching: filters[2]) { due1March.append($0.id) }
        XCTAssertEqual(due1March, [100002, 100007])
        var waitingRead: [Int] = []
        try store.forEachLicense(matching: filters[4]) { waitingRead.append($0.id) }
        XCTAssertEqual(waitingRead, [100005, 100006, 100008])
    }

    /// What a run read serves it again while the revision stands: any write moves it, by this
    /// connection (even one rolled back) or another; inside a transaction there is none.
    func testTheRevisionMovesWithEveryWrite() throws {
        let store = try SQLiteStore(path: path)
        try store.save(license(100001), at: at)
        let first = try XCTUnwrap(store.revision())
        _ = try store.allLicenses()
        XCTAssertEqual(try store.revision(), first, "reading changes nothing")
        try store.attach(license: 100001, to: nil, addon: nil)
        let written = try XCTUnwrap(store.revision())
        XCTAssertNotEqual(written, first)
        try store.transaction { XCTAssertNil(try store.revision()) }
        struct Undone: Error {}
        XCTAssertThrowsError(
            try store.transaction {
                try store.save(license(100002), at: at)
                throw Undone()
            })
        let rolledBack = try XCTUnwrap(store.revision())
        XCTAssertNotEqual(rolledBack, written)
        try SQLiteStore(path: path).save(license(100003), at: at)
        XCTAssertNotEqual(try store.revision(), rolledBack, "another connection's commit")
    }

    // MARK: - Kept statements

    func testAKeptStatementForgetsTheLastCallsValues() throws {
        let db = try SQLiteStore(path: path).db
        XCTAssertEqual(try db.query("SELECT ? AS v", [5]).first?.int("v"), 5)
        XCTAssertNil(try db.query("SELECT ? AS v").first?.int("v"))
    }

    func testAQueryRunAgainWhileItsRowsAreReadGetsAStatementOfItsOwn() throws {
        let store = try SQLiteStore(path: path)
        for id in [100001, 100002] { try store.save(license(id), at: at) }
        let ids = "SELECT id FROM licenses ORDER BY id"
        var pairs: [[Int?]] = []
        try store.db.forEachRow(ids) { outer in
            let id = outer.int(0)
            try store.db.forEachRow(ids) { inner in pairs.append([id, inner.int(0)]) }
        }
        XCTAssertEqual(pairs, [[100001, 100001], [100001, 100002], [100002, 100001], [100002, 100002]])
    }

    func testAReadLeftPartWayStartsOverAndHoldsNoSnapshot() throws {
        struct Stop: Error {}
        let store = try SQLiteStore(path: path)
        for id in [100001, 100002] { try store.save(license(id), at: at) }
        let ids = "SELECT id FROM licenses ORDER BY id"
        XCTAssertThrowsError(try store.db.forEachRow(ids) { _ in throw Stop() })
        // Another connection's write must be seen: a statement left stepping would pin the old snapshot.
        try SQLiteStore(path: path).save(license(100003), at: at)
        XCTAssertEqual(try store.db.rows(ids) { $0.int(0) }, [100001, 100002, 100003])
    }

    func testClosingFinalizesTheKeptStatements() throws {
        let db = try SQLiteDatabase(path: path)
        try db.run("CREATE TABLE t (v INTEGER)")
        try db.run("INSERT INTO t VALUES (?)", [1])
        XCTAssertEqual(try db.rows("SELECT v FROM t") { $0.int(0) }, [1])
        XCTAssertNoThrow(try db.close())
    }
}
