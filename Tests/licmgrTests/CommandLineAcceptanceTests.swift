import LicmgrTestSupport
import XCTest

final class CommandLineAcceptanceTests: AcceptanceTestCase {
    func testGlobalOptionsStandBeforeOrAfterTheSubcommand() throws {
        try addService(7, ip: "10.0.0.7")
        let before = try work.run(arguments: ["--config", work.configPath, "--json", "service", "show", "7"])
        let after = try work.run(arguments: ["service", "show", "7", "--json", "--config", work.configPath])
        XCTAssertEqual(before.status, 0, before.stderr)
        XCTAssertEqual(after.status, 0, after.stderr)
        XCTAssertEqual(before.jsonObject["id"] as? Int, 7)
        XCTAssertEqual(before.stdout, after.stdout)
    }

    func testConfigFromEnvironment() throws {
        work.environment["LICMGR_CONFIG"] = work.configPath
        let result = try work.run(arguments: ["service", "list", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "[]")
    }

    func testBadCommandLineExits64() throws {
        let result = try work.run(arguments: ["order", "seven"])
        XCTAssertEqual(result.status, 64, result.stderr)
        XCTAssertEqual(result.stdout, "")
        // One line, as every other error: what is wrong, and where help is.
        XCTAssertEqual(
            result.stderr, "licmgr: error: the value 'seven' is invalid for '<ids>'; see 'licmgr order --help'\n")
        let own = try work.run(arguments: ["service", "set", "7", "--dry-run"])
        XCTAssertEqual(own.status, 64)
        XCTAssertEqual(own.stderr, "licmgr: error: --dry-run goes with --now; see 'licmgr service set --help'\n")
        let option = try work.run(arguments: ["order", "--jsn", "7"])
        XCTAssertEqual(
            option.stderr,
            "licmgr: error: unknown option '--jsn' (did you mean '--json'?); see 'licmgr order --help'\n")
        let unknown = try work.run(arguments: ["frobnicate"])
        XCTAssertEqual(unknown.status, 64)
        XCTAssertEqual(unknown.stderr, "licmgr: error: unexpected argument 'frobnicate'; see 'licmgr --help'\n")
        let json = try work.run(arguments: ["order", "seven", "--json"])
        XCTAssertEqual(json.status, 64)
        let error = try XCTUnwrap(json.jsonObject["error"] as? [String: Any], json.stdout)
        XCTAssertEqual(error["code"] as? Int, 64)
        XCTAssertTrue((error["message"] as? String ?? "").contains("seven"))
    }

    func testFarUnknownDirectiveListsTheKnownNames() throws {
        try work.writeConfig(url: sim.url, extra: "Xylophone 1")
        let result = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(result.stderr.contains("unknown directive 'Xylophone'; known names are Url, User"), result.stderr)
    }

    func testServiceJSONShapes() throws {
        try work.writeConfig(url: sim.url, extra: "Price ipmgr 2891")
        try addService(
            7, ip: "10.0.0.7", addon: "panel=Lite", extra: ["--package", "12", "--period", "1", "--addon", "ipmgr=on"])
        let shown = try licmgr("service", "show", "7", "--json").jsonObject
        XCTAssertEqual(shown["addons"] as? [String: String], ["panel": "Lite", "ipmgr": "on"])
        XCTAssertEqual(shown["package"] as? Int, 12)
        XCTAssertEqual(shown["status"] as? String, "active")
        XCTAssertEqual(shown["licenses"] as? [Int], [])
    }

    func testImportUpsertsByIDAndRoundTripsTheListOutput() throws {
        let input = """
            [{"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite"}},
             {"id": 2, "name": "b", "ip": "10.0.0.2", "period": 12, "status": "suspended"}]
            """
        let first = try licmgr("service", "import", "--json", input: input)
        XCTAssertEqual(first.jsonObject["added"] as? Int, 2)
        let listed = try licmgr("service", "list", "--json").stdout
        let again = try licmgr("service", "import", "--json", input: listed)
        XCTAssertEqual(again.jsonObject["unchanged"] as? Int, 2)

        let changed = try licmgr("service", "import", "--json", input: #"{"id": 2, "name": "b", "ip": "10.0.0.22"}"#)
        XCTAssertEqual(changed.jsonObject["changed"] as? Int, 1)
        XCTAssertEqual(try work.store().service(2)?.ip, "10.0.0.22")
    }

    func testServiceSetReplacesAddonsAndKeepsHistory() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("service", "set", "7", "--ip", "10.0.0.70", "--addon", "panel=Pro")
        let service = try XCTUnwrap(try work.store().service(7))
        XCTAssertEqual(service.ip, "10.0.0.70")
        XCTAssertEqual(service.addons, ["panel": "Pro"])
        let history = try licmgr("history", "--service", "7", "--json").jsonArray
        XCTAssertEqual(history.map { $0["action"] as? String }, ["service add", "service set"])
        XCTAssertTrue((history.last?["detail"] as? String ?? "").contains("ip 10.0.0.7 -> 10.0.0.70"))
    }

    func testDatabaseIsCreatedPrivate() throws {
        try addService(7, ip: "10.0.0.7")
        let attributes = try FileManager.default.attributesOfItem(atPath: work.databasePath)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
    }

    func testShowFetchesTheKeyAndPrintsIt() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let key = try XCTUnwrap(try sim.state().licenses.first?["lickey"])
        let shown = try licmgr("show", "--service", "7", "--json").jsonObject
        XCTAssertEqual(shown["key"] as? String, key)
        XCTAssertEqual(shown["name"] as? String, "Item #7 addon vps7")
        XCTAssertEqual(shown["status"] as? String, "active")
    }

    /// Long listings are written out as they are read, in pieces: still one whole document.
    func testListingsLongerThanOneWrittenPieceAreOneDocument() throws {
        let count = 700
        let services = (1...count).map { #"{"id":\#($0),"name":"vps\#($0)","ip":"10.1.\#($0 / 256).\#($0 % 256)"}"# }
        try licmgr("service", "import", "-", input: services.joined(separator: "\n"))
        try sim.seed(
            (1...count).map { ["licname": "lic \($0)", "ip": "10.2.\($0 / 256).\($0 % 256)", "pricelist": "55227"] })
        try licmgr("sync")
        for arguments in [["list", "--json"], ["service", "list", "--json"], ["history", "--json"]] {
            let result = try work.licmgr(arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertGreaterThan(result.stdout.utf8.count, 64 * 1024, "\(arguments)")
            XCTAssertTrue(result.stdout.hasSuffix("]\n"))
            let ids = result.jsonArray.compactMap { $0["id"] as? Int }
            if arguments[0] != "history" {
                XCTAssertEqual(ids.count, count, "\(arguments)")
                XCTAssertEqual(ids, ids.sorted(), "\(arguments)")
            } else {
                XCTAssertGreaterThanOrEqual(result.jsonArray.count, count)
            }
        }
    }

    /// The text listing reads its rows twice, to size the columns and to print them: the
    /// columns line up and nothing is printed for no rows.
    func testTextListingIsAlignedColumns() throws {
        XCTAssertEqual(try licmgr("list").stdout, "")
        try sim.seed([
            ["licname": "lic 1", "ip": "10.0.1.1", "pricelist": "55227"],
            ["licname": "a much longer name", "ip": "10.0.1.22", "pricelist": "55227"],
        ])
        try licmgr("sync")
        let licenses = try licmgr("list", "--json").jsonArray
        var rows = [["ID", "NAME", "IP", "TARIFF", "PERIOD", "STATUS", "EXPIRES", "SERVICE"]]
        // Periods in words; JSON keeps the raw id.
        let words = [1: "1 month", 12: "1 year"]
        for license in licenses {
            rows.append([
                "\(license["id"] as? Int ?? 0)", license["name"] as? String ?? "", license["ip"] as? String ?? "",
                "\(license["pricelist"] as? Int ?? 0)", (license["period"] as? Int).flatMap { words[$0] } ?? "-",
                license["status"] as? String ?? "", license["expires"] as? String ?? "-", "-",
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        let expected = rows.map { row in
            row.indices.map { column in
                column == row.count - 1
                    ? row[column] : row[column] + String(repeating: " ", count: widths[column] - row[column].count)
            }.joined(separator: "  ")
        }
        XCTAssertEqual(try licmgr("list").stdout, expected.joined(separator: "\n") + "\n")
    }

    /// The JSON keys scripts are written against: the spec's, plus the ones licmgr adds.
    func testJSONKeysAreStable() throws {
        try addService(7, ip: "10.0.0.7")
        let order = try licmgr("order", "7", "--json").jsonObject
        let actions = [
            "ordered", "attached", "reused", "renewed", "unchanged", "settled", "skipped", "failed", "in_doubt",
            "planned", "suspended", "resumed", "edited", "retariffed", "parked", "deleted", "discovered", "drifted",
            "gone", "refreshed", "held",
        ]
        XCTAssertEqual(
            Set(order.keys), Set(actions + ["errors", "warnings", "notes", "items", "dry_run", "spent", "currency"]))
        let licenseKeys: Set = [
            "id", "name", "ip", "pricelist", "period", "status", "expires", "service_id", "addon", "line",
        ]
        XCTAssertEqual(Set(try licmgr("list", "--json").jsonArray.first?.keys ?? [:].keys), licenseKeys)
        try sim.seed([["licname": "stray", "ip": "10.9.9.9", "pricelist": "55227"]])
        try licmgr("sync")
        XCTAssertEqual(
            Set(try licmgr("list", "--unused", "--json").jsonArray.first?.keys ?? [:].keys),
            licenseKeys.union(["monthly_cost", "currency"]))
        XCTAssertEqual(
            Set(try licmgr("show", "--service", "7", "--json").jsonObject.keys),
            licenseKeys.union(["key", "tariff_name", "created"]))
        XCTAssertEqual(
            Set(try licmgr("service", "show", "7", "--json").jsonObject.keys),
            ["id", "name", "ip", "package", "period", "addons", "status", "licenses"])
        XCTAssertEqual(
            Set(try licmgr("history", "--json").jsonArray.first?.keys ?? [:].keys),
            ["at", "command", "service_id", "license_id", "action", "result", "detail"])
    }
}
