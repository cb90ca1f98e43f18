import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// What the binary says about itself, and what it tells the remote about itself.
final class BuildInfoAcceptanceTests: AcceptanceTestCase {
    func testVersionNamesTheCommitAndTheLibrariesItRunsWith() throws {
        let info = try licmgr("--version", "--json").jsonObject
        let version = try XCTUnwrap(info["version"] as? String)
        XCTAssertEqual(info["libcurl"] as? String, CurlTransport.libraryVersion.curl)
        XCTAssertEqual(info["sqlite"] as? String, SQLiteDatabase.libraryVersion)
        XCTAssertFalse((info["commit"] as? String ?? "").isEmpty)
        let text = try licmgr("--version").stdout
        XCTAssertTrue(text.hasPrefix("licmgr \(version) (commit \(info["commit"] as? String ?? "?"))\n"), text)
        XCTAssertTrue(text.contains("libcurl \(CurlTransport.libraryVersion.curl)"), text)
        XCTAssertTrue(text.contains("SQLite \(SQLiteDatabase.libraryVersion)"), text)
        XCTAssertEqual(try licmgr("order", "--version").stdout, text, "every command takes --version")
    }

    func testTheDefaultConfigIsTheOneVersionNames() throws {
        let info = try licmgr("--version", "--json").jsonObject
        let path = try XCTUnwrap(info["config"] as? String)
        try XCTSkipIf(FileManager.default.fileExists(atPath: path), "\(path) exists on this machine")
        let result = try work.licmgr(["config", "check"], config: false)
        XCTAssertEqual(result.status, 78)
        XCTAssertTrue(result.stderr.contains("\(path): cannot read: no such file"), result.stderr)
    }

    func testEveryRequestCarriesTheVersionInItsUserAgent() throws {
        let version = try XCTUnwrap(try licmgr("--version", "--json").jsonObject["version"] as? String)
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        try licmgr("checkevent")
        let agents = try sim.userAgents()
        XCTAssertEqual(Array(agents.keys), ["licmgr/\(version)"], "\(agents)")
        XCTAssertGreaterThan(agents["licmgr/\(version)"] ?? 0, 2)
    }

    func testAMissingOrUnreadableImportFileExits66() throws {
        let missing = try licmgr("service", "import", "nowhere.json", expect: 66)
        XCTAssertTrue(missing.stderr.contains("nowhere.json: cannot read: no such file"), missing.stderr)
        try FileManager.default.createDirectory(
            at: work.directory.appendingPathComponent("dir"), withIntermediateDirectories: true)
        let directory = try licmgr("service", "import", "dir", "--json", expect: 66).jsonObject
        XCTAssertEqual((directory["error"] as? [String: Any])?["code"] as? Int, 66)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty)
    }
}
