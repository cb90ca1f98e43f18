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
}
