import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The database file: made once however many runs start on it, and never someone else's.
final class DatabaseAcceptanceTests: AcceptanceTestCase {
    func testRunsStartedTogetherOnANewDatabaseAllLand() throws {
        let runs = try (1...8).map { id in
            try work.launch(arguments: [
                "--config", work.configPath, "service", "add", String(id), "--name", "vps\(id)", "--ip", "10.0.0.\(id)",
            ])
        }
        for (index, run) in runs.enumerated() {
            let result = run.wait()
            XCTAssertEqual(result.status, 0, "run \(index + 1): \(result.stderr)")
        }
        let store = try work.store()
        XCTAssertEqual(try store.services(includeClosed: true).map(\.id), Array(1...8))
        XCTAssertEqual(try store.db.query("PRAGMA integrity_check").first?.string("integrity_check"), "ok")
    }

    func testAnEmptyFileIsRefusedWith74AndLeftEmpty() throws {
        try work.writeFile("licmgr.db", "")
        let result = try licmgr("service", "list", expect: 74)
        XCTAssertTrue(result.stderr.contains(work.databasePath), result.stderr)
        XCTAssertTrue(result.stderr.contains("not a licmgr database"), result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: work.databasePath)), Data())
    }

    func testAnotherProgramsDatabaseIsRefusedWith74AndLeftAlone() throws {
        do {
            let other = try SQLiteDatabase(path: work.databasePath)
            try other.execute("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: work.databasePath))
        let result = try licmgr("service", "add", "7", "--name", "vps7", "--ip", "10.0.0.7", "--json", expect: 74)
        let error = try XCTUnwrap(result.jsonObject["error"] as? [String: Any])
        XCTAssertTrue((error["message"] as? String ?? "").contains(work.databasePath), "\(error)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: work.databasePath)), before)
        let other = try SQLiteDatabase(path: work.databasePath)
        XCTAssertEqual(try other.query("PRAGMA integrity_check").first?.string("integrity_check"), "ok")
        XCTAssertEqual(try other.query("SELECT name FROM sqlite_master").count, 1)
    }

    // MARK: - A user who may only read it, and one who may not write where it goes

    /// How the tests run licmgr as a user other than the database's owner: as root, chmod
    /// stops nothing, so the run goes through setpriv as nobody; otherwise as this user.
    private var otherUser: [String] {
        getuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
    }

    private func reader(_ arguments: String...) throws -> RunResult {
        try work.launch(arguments: ["--config", work.configPath] + arguments, through: otherUser).wait()
    }

    /// A monitoring user reads the config (its password in a PasswordFile it may not read) and
    /// the database and its directory, none of which it may write: status, list, show and
    /// history say what they say to the owner.
    func testReadOnlyCommandsWorkForAUserWhoMayOnlyReadTheDatabase() throws {
        if getuid() == 0 {
            try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: otherUser[0]), "no setpriv")
        }
        let directory = work.directory.appendingPathComponent("db").path
        let database = directory + "/licmgr.db"
        try work.writeFile("password", "secret\n")
        try work.writeFile(
            "licmgr.conf",
            "Url \(sim.url)\nUser reseller@example.com\nPasswordFile password\nDatabase \(database)\nTimeout 3\n",
            mode: 0o644)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.directory.path)
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2")
        try licmgr("order", "1", "2")
        try licmgr("checkevent")
        let commands = [
            ["status"], ["status", "--check"], ["status", "--json"], ["list"], ["list", "--json"],
            ["show", "--service", "1"], ["history"], ["history", "--json"],
        ]
        var owner: [[String]: RunResult] = [:]
        for command in commands { owner[command] = try work.licmgr(command) }

        let files = ["licmgr.db", "licmgr.db-wal", "licmgr.db-shm"].map { directory + "/" + $0 }
        for file in files { try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: file) }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory)
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            for file in files { try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file) }
        }
        for command in commands {
            let run = try work.launch(arguments: ["--config", work.configPath] + command, through: otherUser).wait()
            let expected = try XCTUnwrap(owner[command])
            XCTAssertEqual(run.status, expected.status, "\(command): \(run.stderr)")
            XCTAssertEqual(run.stdout, expected.stdout, "\(command)")
            XCTAssertEqual(run.stderr, "", "\(command)")
        }
        // What needs a write, or the password, says why it cannot.
        let add = try work.launch(
            arguments: ["--config", work.configPath, "service", "add", "3", "--name", "vps3", "--ip", "10.0.0.3"],
            through: otherUser
        ).wait()
        XCTAssertEqual(add.status, 74, add.stderr)
        XCTAssertTrue(add.stderr.hasPrefix("licmgr: error: database \(database): "), add.stderr)
        XCTAssertTrue(add.stderr.hasSuffix(": Permission denied (SQLite error 8)\n"), add.stderr)
        let check = try work.launch(arguments: ["--config", work.configPath, "config", "check"], through: otherUser)
            .wait()
        XCTAssertEqual(check.status, 78, check.stderr)
        XCTAssertEqual(check.stderr, "licmgr: error: \(work.directory.path)/password: cannot read: permission denied\n")
        XCTAssertEqual(try SQLiteStore(path: database).services(includeClosed: true).count, 2)
    }

    /// `config check` says what the first run would meet: a database it cannot make, or
    /// cannot write, named with the directory and the system's reason (exit 74); a run that
    /// meets it names the database, never the temporary file it builds a new one under.
    func testConfigCheckFailsOnADatabaseThatCannotBeMadeOrWritten() throws {
        // The user's own config, Database last: its account, its database.
        func configure(_ database: String) throws {
            try work.writeFile(
                "licmgr.conf", "Url \(sim.url)\nUser reseller@example.com\nPassword secret\nDatabase \(database)\n")
            if getuid() == 0 { _ = chown(work.configPath, 65534, 65534) }
        }
        try work.writeFile("plain", "")
        let underAFile = work.directory.appendingPathComponent("plain/licmgr.db").path
        let said =
            "licmgr: error: database \(underAFile): cannot create it in \(work.directory.path)/plain: Not a directory\n"
        try configure(underAFile)
        let check = try licmgr("config", "check", expect: 74)
        XCTAssertEqual(check.stderr, said)
        XCTAssertEqual(check.stdout, "")
        XCTAssertEqual(try licmgr("service", "list", expect: 74).stderr, said)
        let json = try licmgr("config", "check", "--json", expect: 74).jsonObject["error"] as? [String: Any]
        XCTAssertEqual(json?["code"] as? Int, 74)

        if getuid() == 0 {
            try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: otherUser[0]), "no setpriv")
        }
        // A directory this user may not write, and a database it may only read.
        let closed = work.directory.appendingPathComponent("closed").path
        try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: work.directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: closed)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: closed) }
        try configure(closed + "/licmgr.db")
        let refused = try reader("config", "check")
        XCTAssertEqual(refused.status, 74, refused.stderr)
        XCTAssertEqual(
            refused.stderr,
            "licmgr: error: database \(closed)/licmgr.db: cannot create it in \(closed): Permission denied\n")
        let run = try reader("list")
        XCTAssertEqual(run.status, 74)
        XCTAssertEqual(run.stderr, refused.stderr, "the run names the database, not the file it builds it under")
        try configure(closed + "/sub/licmgr.db")
        XCTAssertEqual(
            try reader("config", "check").stderr,
            "licmgr: error: database \(closed)/sub/licmgr.db: cannot create directory \(closed)/sub: Permission denied\n"
        )

        try configure(work.databasePath)
        try licmgr("service", "list")
        for file in ["licmgr.db", "licmgr.db-wal", "licmgr.db-shm"] {
            try FileManager.default.setAttributes(
                [.posixPermissions: 0o644], ofItemAtPath: work.directory.appendingPathComponent(file).path)
        }
        let readOnly = try reader("config", "check")
        XCTAssertEqual(readOnly.status, 74)
        XCTAssertEqual(
            readOnly.stderr, "licmgr: error: database \(work.databasePath): cannot write it: Permission denied\n")
    }
}
