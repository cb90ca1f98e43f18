import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// `licmgr db backup PATH`, and what a restore of an older backup does: the database is the
/// record of what was bought, and an old record must not make licmgr buy it again.
final class BackupAcceptanceTests: AcceptanceTestCase {
    private let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
    private var backupPath: String { work.directory.appendingPathComponent("backup.db").path }

    private func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    func testBackupIsAPrivateCopyInWALModeAndAnExistingFileIsKeptUnlessForced() throws {
        try addService(1, ip: "10.0.0.1")
        try licmgr("order", "1")
        let made = try licmgr("db", "backup", backupPath)
        XCTAssertEqual(made.stdout, "backed up \(work.databasePath) to \(backupPath) (\(try size(backupPath)) bytes)\n")
        XCTAssertEqual(try mode(backupPath), 0o600)
        let copy = try SQLiteStore(path: backupPath)
        XCTAssertEqual(try copy.db.query("PRAGMA journal_mode").first?.string("journal_mode"), "wal")
        XCTAssertEqual(try copy.db.query("PRAGMA integrity_check").first?.string("integrity_check"), "ok")
        XCTAssertEqual(try copy.licenses(serviceID: 1).map(\.id), try work.store().licenses(serviceID: 1).map(\.id))

        try work.writeFile("other.db", "mine")
        let other = work.directory.appendingPathComponent("other.db").path
        let refused = try licmgr("db", "backup", other, expect: 64)
        XCTAssertEqual(refused.stderr, "licmgr: error: \(other) exists; give --force to replace it with the backup\n")
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "mine")
        let forced = try licmgr("db", "backup", other, "--force", "--json").jsonObject
        XCTAssertEqual(forced["path"] as? String, other)
        XCTAssertEqual(forced["schema_version"] as? Int, Schema.version)
        XCTAssertEqual(try mode(other), 0o600)
        XCTAssertEqual(try SQLiteStore(path: other).services(includeClosed: true).map(\.id), [1])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.directory.path).filter {
            $0.contains(".new-")
        }
        XCTAssertEqual(leftovers, [])

        let nowhere = work.directory.appendingPathComponent("no/such/dir/backup.db").path
        let failed = try licmgr("db", "backup", nowhere, expect: 74)
        XCTAssertEqual(
            failed.stderr,
            "licmgr: error: database \(nowhere): cannot create it in \(work.directory.path)/no/such/dir: "
                + "No such file or directory\n")
    }

    /// cron keeps running: a backup taken while checkevent is in the middle of an order neither
    /// waits for it nor stops it, and is a whole database.
    func testBackupTakenWhileCheckeventRunsIsWholeAndStopsNothing() throws {
        try addService(1, ip: "10.0.0.1")
        try sim.fault("soft.order.param", "latency", ms: 2000)
        let running = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        // Until the order is journaled and on its way.
        let deadline = Date().addingTimeInterval(10)
        while try work.store().operations(state: .pending).isEmpty, Date() < deadline { usleep(20_000) }
        XCTAssertTrue(running.isRunning)
        let started = Date()
        try licmgr("db", "backup", backupPath)
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5, "the backup waited for the run")
        XCTAssertTrue(running.isRunning, "the run is still ordering: the backup did not wait for it")
        XCTAssertEqual(running.wait().status, 0)
        let copy = try SQLiteStore(path: backupPath)
        XCTAssertEqual(try copy.db.query("PRAGMA integrity_check").first?.string("integrity_check"), "ok")
        XCTAssertEqual(try copy.operations(state: .pending).count, 1, "the order as it stood: in doubt")
    }

    /// A backup restored after orders, a renewal and a park were made, and the billing's
    /// services imported again: the next checkevent finds each of them on the remote and pays
    /// for nothing again.
    func testRestoringAnOlderBackupPaysForNothingAgain() throws {
        try work.writeConfig(url: sim.url, extra: "Option ReUseLicense\nReusePrice 12")
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1", extra: ["--package", "12"])
        try addService(2, ip: "10.0.0.2", extra: ["--package", "12"])
        // Service 1's license is on the account already, due tomorrow: attached, not renewed,
        // when the backup is taken.
        let first = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #1 addon vps1", "ip": "10.0.0.1", "pricelist": "55227", "period": "1",
                    "expiredate": today.adding(days: 1).description,
                ]
            ]).first)
        try licmgr("order", "1", "2")
        XCTAssertEqual(try work.store().licenses(serviceID: 1).map(\.id), [first])
        let second = try XCTUnwrap(try work.store().licenses(serviceID: 2).first?.id)
        try licmgr("db", "backup", backupPath)

        // Since the backup: service 3 is bought for, license 1 renewed, service 2 closed and its
        // license parked.
        try addService(3, ip: "10.0.0.3", extra: ["--package", "12"])
        try licmgr("service", "close", "2")
        let since = try licmgr("checkevent", "--json").jsonObject
        XCTAssertEqual(since["ordered"] as? Int, 1, "\(since)")
        XCTAssertEqual(since["renewed"] as? Int, 1, "\(since)")
        XCTAssertEqual(since["parked"] as? Int, 1, "\(since)")
        let third = try XCTUnwrap(try work.store().licenses(serviceID: 3).first?.id)
        let before = try sim.state()
        let paidBefore = before.calls.filter { KillMatrixAcceptanceTests.paidFunctions.contains($0.function) }.count

        // The restore, as licmgr(8) says: the database and its WAL files aside, the backup in.
        for suffix in ["", "-wal", "-shm"] {
            try FileManager.default.moveItem(
                atPath: work.databasePath + suffix, toPath: work.databasePath + ".broken" + suffix)
        }
        try FileManager.default.copyItem(atPath: backupPath, toPath: work.databasePath)
        let billing = [
            ["id": 1, "name": "vps1", "ip": "10.0.0.1", "package": 12, "addons": ["panel": "Lite"]],
            ["id": 3, "name": "vps3", "ip": "10.0.0.3", "package": 12, "addons": ["panel": "Lite"]],
        ]
        let export = String(decoding: try JSONSerialization.data(withJSONObject: billing), as: UTF8.self)
        try licmgr("service", "import", "--prune", "-", input: export)
        let after = try licmgr("checkevent", "--json")

        let state = try sim.state()
        let paid = state.calls.filter { KillMatrixAcceptanceTests.paidFunctions.contains($0.function) }
        XCTAssertEqual(paid.count, paidBefore, "paid again: \(paid.dropFirst(paidBefore).map(\.function))")
        XCTAssertEqual(state.spent, before.spent)
        XCTAssertEqual(after.jsonObject["ordered"] as? Int, 0, after.stdout)
        XCTAssertEqual(after.jsonObject["renewed"] as? Int, 0, after.stdout)
        let store = try work.store()
        XCTAssertEqual(try store.licenses(serviceID: 1).map(\.id), [first])
        XCTAssertEqual(try store.licenses(serviceID: 3).map(\.id), [third])
        XCTAssertEqual(try store.license(first)?.expires, today.adding(days: 1).adding(months: 1))
        let parked = try XCTUnwrap(try store.license(second))
        XCTAssertNil(parked.serviceID, "license 2 is in the free pool again, as on the remote")
        XCTAssertTrue(parked.isParked)
        let remote = try XCTUnwrap(state.licenses.first { $0["id"] == String(second) })
        XCTAssertEqual(remote["licname"], "free.lic")
        XCTAssertEqual(remote["status"], "3", "parked, not deleted")
        // And the next run has nothing to do.
        XCTAssertEqual(try licmgr("checkevent").stdout, "")
    }

    private func size(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }
}
