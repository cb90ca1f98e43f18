import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// The everyday views: history bounds, what `list` hides, what an empty listing says, what
/// `-q` keeps, and JSON keys that the man page documents.
final class ViewsAcceptanceTests: AcceptanceTestCase {
    /// A service with a license the simulator sold; returns the license id.
    func servedService(_ id: Int, ip: String) throws -> Int {
        try addService(id, ip: ip)
        try licmgr("order", String(id))
        return try XCTUnwrap(try work.store().licenses(serviceID: id).first?.id)
    }

    func appendHistory(_ at: String, service: Int?, _ detail: String) throws {
        try work.store().append(
            HistoryEntry(
                at: at, command: "test", serviceID: service, licenseID: nil, action: "note", result: "ok",
                detail: detail))
    }

    // MARK: - history

    func testHistorySinceADayAndTheLastFew() throws {
        try appendHistory("2025-01-31 23:59:59", service: 7, "january")
        try appendHistory("2025-02-01 00:00:00", service: 8, "february")
        try appendHistory("2025-03-01 10:00:00", service: 7, "march")
        try addService(7, ip: "10.0.0.7")
        func details(_ arguments: String...) throws -> [String] {
            try work.licmgr(["history", "--json"] + arguments).jsonArray.compactMap { $0["detail"] as? String }
        }
        let all = try details()
        XCTAssertEqual(all.count, 4)
        XCTAssertEqual(Array(try details("--since", "2025-02-01")), Array(all.dropFirst()), "the day is included")
        XCTAssertEqual(try details("--limit", "2"), Array(all.suffix(2)), "the last two, oldest first")
        XCTAssertEqual(try details("--service", "7", "--since", "2025-01-01", "--limit", "5").count, 3)
        XCTAssertEqual(try details("--service", "7", "--limit", "1"), [all[3]])
        XCTAssertEqual(try details("--since", "2999-01-01"), [])
        let text = try licmgr("history", "--since", "2025-03-01", "--limit", "1")
        let lines = text.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, "a header and the newest entry: \(text.stdout)")
        XCTAssertTrue(lines.last?.contains("service add") == true, text.stdout)
    }

    func testBadHistoryBoundsAreOneLineNamingTheFlag() throws {
        for (arguments, named) in [
            (["--since", "2025-13-01"], "--since"), (["--since", "yesterday"], "--since"),
            (["--since", "2025-1-1"], "--since"), (["--limit", "0"], "--limit"), (["--limit=-3"], "--limit"),
            (["--limit", "ten"], "--limit"),
        ] {
            let result = try work.licmgr(["history"] + arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.stderr)")
            let value = arguments.last!.replacingOccurrences(of: "--limit=", with: "")
            XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertTrue(
                result.stderr.contains(named) && result.stderr.contains("'\(value)'"), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
            let json = try work.licmgr(["history", "--json"] + arguments)
            XCTAssertEqual(json.status, 64)
            XCTAssertEqual((json.jsonObject["error"] as? [String: Any])?["code"] as? Int, 64, json.stdout)
        }
    }

    // MARK: - list

    func testListHidesDeletedAndGoneLicensesUnlessAll() throws {
        let live = try servedService(7, ip: "10.0.0.7")
        let deleted = try servedService(8, ip: "10.0.0.8")
        try licmgr("service", "close", "8", "--now")
        let gone = try XCTUnwrap(
            try sim.seed([["licname": "elsewhere", "ip": "10.0.0.9", "pricelist": "55227"]]).first)
        try licmgr("sync")
        let store = try work.store()
        var vanished = try XCTUnwrap(try store.license(gone))
        vanished.gone = true
        try store.save(vanished, at: "2025-01-01 00:00:00")
        XCTAssertEqual(try XCTUnwrap(try store.license(deleted)).status, .deleted)

        func ids(_ arguments: String...) throws -> Set<Int> {
            Set(try work.licmgr(["list", "--json"] + arguments).jsonArray.compactMap { $0["id"] as? Int })
        }
        XCTAssertEqual(try ids(), [live])
        XCTAssertEqual(try ids("--all"), [live, deleted, gone])
        XCTAssertEqual(try ids("--service", "8"), [])
        XCTAssertEqual(try ids("--service", "8", "--all"), [deleted])
        XCTAssertEqual(try ids("--expiring", "400", "--all"), [live], "--expiring keeps to live licenses")
        XCTAssertEqual(try ids("--free", "--all"), [])
        let text = try licmgr("list").stdout
        XCTAssertFalse(text.contains("deleted") || text.contains("gone"), text)
        XCTAssertTrue(try licmgr("list", "--all").stdout.contains("deleted"))
    }

    // MARK: - Empty listings

    func testEmptyListingsSaySoOnATerminalOnly() throws {
        let cases: [([String], String)] = [
            (["list"], "no licenses; run 'licmgr sync'\n"),
            (["list", "--free"], "no licenses in the free pool\n"),
            (["list", "--expiring", "7"], "no license expires within 7 days\n"),
            (
                ["service", "list"],
                "no open services; add them with 'licmgr service add' or 'licmgr service import'\n"
            ),
            (["history"], "no history\n"),
            (["history", "--since", "2025-02-01"], "no history since 2025-02-01\n"),
            (["journal"], "no steps in doubt\n"),
        ]
        for (arguments, said) in cases {
            let terminal = try onTerminal(arguments)
            XCTAssertEqual(terminal.stdout, "", "\(arguments)")
            XCTAssertEqual(terminal.stderr, said, "\(arguments)")
            let json = try onTerminal(arguments + ["--json"])
            XCTAssertEqual(json.stdout, "[]\n", "\(arguments)")
            XCTAssertEqual(json.stderr, "", "\(arguments)")
            XCTAssertEqual(try onTerminal(["-q"] + arguments).stderr, "", "\(arguments)")
            let piped = try work.licmgr(arguments)
            XCTAssertEqual(piped.status, 0)
            XCTAssertEqual(piped.stdout + piped.stderr, "", "scripts get empty output: \(arguments)")
        }
        try addService(7, ip: "10.0.0.7")
        XCTAssertEqual(try onTerminal(["list", "--service", "7"]).stderr, "service 7 has no live licenses\n")
        let listed = try onTerminal(["service", "list"])
        XCTAssertTrue(listed.stdout.contains("10.0.0.7"), listed.stdout)
        XCTAssertEqual(listed.stderr, "")
    }

    /// Runs licmgr with stdout on a pseudo-terminal and stderr in a file.
    func onTerminal(_ arguments: [String]) throws -> (stdout: String, stderr: String) {
        let run = try work.onTerminal(arguments, stderrToFile: true)
        return (run.terminal.replacingOccurrences(of: "\r\n", with: "\n"), run.stderrFile)
    }

    // MARK: - Quiet

    func testQuietKeepsTheDataAskedFor() throws {
        let license = try servedService(7, ip: "10.0.0.7")
        let views: [[String]] = [
            ["list"], ["show", String(license)], ["show", "--service", "7"], ["history"],
            ["history", "--service", "7"],
            ["service", "list"], ["service", "show", "7"], ["journal", "--all"],
        ]
        for view in views {
            let quiet = try work.licmgr(["-q"] + view)
            XCTAssertEqual(quiet.status, 0, quiet.stderr)
            XCTAssertFalse(quiet.stdout.isEmpty, "\(view)")
            XCTAssertEqual(quiet.stdout, try work.licmgr(view).stdout, "-q drops no data: \(view)")
            XCTAssertEqual(quiet.stderr, "")
        }
    }

    // MARK: - newkey

    func testNewKeyGivesTheKey() throws {
        let license = try servedService(7, ip: "10.0.0.7")
        let json = try licmgr("newkey", String(license), "--json")
        let key = try XCTUnwrap(json.jsonObject["key"] as? String, json.stdout)
        XCTAssertFalse(key.isEmpty)
        XCTAssertEqual(try XCTUnwrap(try sim.state().licenses.first { $0["id"] == String(license) })["lickey"], key)
        XCTAssertEqual(try work.store().license(license)?.key, key)

        let text = try licmgr("newkey", String(license))
        let second = try XCTUnwrap(try work.store().license(license)?.key)
        XCTAssertNotEqual(second, key)
        XCTAssertTrue(text.stdout.contains(second), text.stdout)
        XCTAssertEqual(
            try licmgr("-q", "newkey", String(license)).stdout, try work.store().license(license)!.key! + "\n")

        let planned = try licmgr("newkey", String(license), "--dry-run", "--json").jsonObject
        XCTAssertTrue(planned["key"] is NSNull, "\(planned)")
    }

    // MARK: - Documented JSON keys

    /// Every key a JSON document holds, at any depth; the members of maps keyed by data (addon
    /// names, remote parameters) are values, not keys of the format.
    private func keys(of value: Any, into found: inout Set<String>) {
        if let object = value as? [String: Any] {
            for (key, member) in object {
                found.insert(key)
                if ["addons", "params", "last_runs", "counts"].contains(key) { continue }
                keys(of: member, into: &found)
            }
        } else if let array = value as? [Any] {
            for element in array { keys(of: element, into: &found) }
        }
    }

    func testEveryJSONKeyIsInTheManPage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let manual = try String(contentsOf: root.appendingPathComponent("man/licmgr.8"), encoding: .utf8)
        var documents: [Any] = []
        func run(_ arguments: String..., input: String? = nil, expect status: Int32 = 0) throws {
            let result = try work.licmgr(arguments + ["--json"], input: input)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.stdout) \(result.stderr)")
            documents.append(try result.json())
        }
        try run("config", "check")
        try run("config", "check", "--remote")
        try run("import-tariffs", "--dry-run")
        try run("import-tariffs")
        let license = try servedService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        try addService(9, ip: "10.0.0.9")
        // An orphan for fixchilds, and a service it cannot serve.
        try sim.seed([["licname": "someone else's", "ip": "10.9.9.9", "pricelist": "55227"]])
        try sim.fault("soft.order.param", "refuse", message: "not today")
        try run("fixchilds", "--dry-run")
        try run("fixchilds", expect: 1)
        try run("order", "8", "9", "--dry-run")
        try run("checkevent")
        try run("renew", "7")
        try run("renew", "--due", "--dry-run")
        try run("newkey", String(license))
        try run("sync")
        try run("service", "suspend", "9")
        try run("service", "set", "9", "--name", "renamed")
        try run("service", "close", "9", "--now")
        try run("service", "import", "-", input: #"{"id": 10, "name": "vps10", "ip": "10.0.0.10"}"#)
        try run("list", "--all")
        try run("list", "--free")
        try run("show", String(license))
        try run("service", "list", "--all")
        try run("service", "show", "7")
        try run("history")
        try run("journal", "--all")
        try run("status")
        try run("status", "--check")
        var found: Set<String> = []
        for document in documents { keys(of: document, into: &found) }
        XCTAssertTrue(
            found.isSuperset(of: ["drifted", "notes", "orphans", "unserved", "tariffs", "prices"]), "\(found)")
        let named = Set(
            manual.split(separator: "\n").compactMap { line -> String? in
                let words = line.split(separator: " ")
                return words.first == ".Sy" && words.count > 1 ? String(words[1]) : nil
            })
        let undocumented = found.subtracting(named).sorted()
        XCTAssertEqual(undocumented, [], "JSON keys that man/licmgr.8 does not name with .Sy")
    }
}
