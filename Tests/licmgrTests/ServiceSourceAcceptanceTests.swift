import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `ServiceSource`: checkevent first runs the billing's export program and imports what it
/// prints as `service import --prune` would; a program that fails changes nothing.
final class ServiceSourceAcceptanceTests: AcceptanceTestCase {
    private var program: String { work.directory.appendingPathComponent("source.sh").path }

    /// Makes the source a shell script with `body`, and names it in the config.
    private func source(_ body: String, extra: String = "") throws {
        try work.writeFile("source.sh", "#!/bin/sh\n\(body)\n", mode: 0o755)
        try work.writeConfig(url: sim.url, extra: "ServiceSource \(program)\n\(extra)")
    }

    /// A source that prints these services, one JSON object a line.
    private func printing(_ services: [String], extra: String = "") throws {
        try source("cat <<'EOF'\n" + services.joined(separator: "\n") + "\nEOF", extra: extra)
    }

    /// stderr without the warnings some dialects of the simulator draw.
    private func said(_ result: RunResult) -> String {
        result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("licmgr: warning: ") }.joined(separator: "\n")
    }

    private func service(_ id: Int, ip: String? = nil) -> String {
        #"{"id": \#(id), "name": "vps\#(id)", "ip": "\#(ip ?? "10.0.0.\(id)")", "addons": {"panel": "Lite"}}"#
    }

    func testCheckeventImportsWhatTheSourcePrintsAndServesIt() throws {
        try printing([service(1), service(2)])
        let first = try licmgr("checkevent")
        XCTAssertEqual(said(first), "")
        XCTAssertEqual(try work.store().services(includeClosed: false).map(\.id), [1, 2])
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2)
        let rows = try work.store().history(serviceID: 1, licenseID: nil)
        XCTAssertEqual(rows.first?.command, "checkevent")
        XCTAssertEqual(rows.first?.action, "service import")

        // Service 2 leaves the billing and service 1 moves: the same run carries both out.
        try printing([service(1, ip: "10.0.0.11")])
        let second = try licmgr("checkevent", "-v")
        XCTAssertTrue(second.stdout.contains("changed service 1 (vps1): ip 10.0.0.1 -> 10.0.0.11\n"), second.stdout)
        XCTAssertTrue(
            second.stdout.contains("closed service 2 (vps2, 10.0.0.2): absent from the export\n"), second.stdout)
        XCTAssertEqual(try work.store().service(2)?.status, .closed)
        let state = try sim.state()
        XCTAssertEqual(state.calls("soft.delete").count, 1)
        XCTAssertEqual(state.licenses.first { $0["licname"] == "Item #1 addon vps1" }?["ip"], "10.0.0.11")
        let json = try licmgr("checkevent", "--json").jsonObject
        let imported = try XCTUnwrap((json["service_source"] as? [String: Any])?["import"] as? [String: Any])
        XCTAssertEqual(imported["unchanged"] as? Int, 1)
        XCTAssertEqual((json["errors"] as? [[String: Any]])?.count, 0)
    }

    func testAFailingSourceChangesNothingAndIsSaidWhenItStartsAndEnds() throws {
        try addService(5, ip: "10.0.0.5")
        try source("echo 'db down: connection refused' >&2\nexit 3")
        let failed = try licmgr("checkevent", expect: 75)
        XCTAssertEqual(
            said(failed),
            "licmgr: error: ServiceSource \(program) exited 3: db down: connection refused; the services are left "
                + "as they were\n")
        XCTAssertEqual(try work.store().services(includeClosed: false).map(\.id), [5], "nothing pruned")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1, "the rest of the run goes on")

        let again = try licmgr("checkevent", expect: 75)
        XCTAssertEqual(said(again), "", "a repeat within the hour is not mailed again")
        let verbose = try licmgr("checkevent", "-v", expect: 75)
        XCTAssertTrue(verbose.stderr.contains("exited 3: db down"), verbose.stderr)
        let json = try licmgr("checkevent", "--json", expect: 75).jsonObject
        let error = try XCTUnwrap((json["service_source"] as? [String: Any])?["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? Int, 75)
        XCTAssertEqual((json["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? Int }, [75])

        try printing([service(5)])
        let back = try licmgr("checkevent")
        XCTAssertTrue(
            said(back).hasPrefix("licmgr: the ServiceSource works again after 4 failed runs since "), back.stderr)
        XCTAssertEqual(said(try licmgr("checkevent")), "")
    }

    func testOutputTheImportRefusesChangesNothing() throws {
        try printing((1...8).map { service($0) })
        try licmgr("checkevent")
        try printing([service(1)])
        let cut = try licmgr("checkevent", expect: 65)
        XCTAssertEqual(
            said(cut),
            "licmgr: error: ServiceSource \(program): its services would close 7 of 8 open services, more than 5 and "
                + "more than 10% of them (is the export whole?); nothing was imported; if that is meant, import them "
                + "once by hand: '\(program) | licmgr service import --prune --prune-max 7'\n")
        XCTAssertEqual(try work.store().services(includeClosed: false).count, 8)
        XCTAssertEqual(try sim.state().calls("soft.delete").count, 0)

        try source("echo '{\"id\": 1, \"name\": \"vps1\", \"ip\": \"10.0.0.1\"}'\necho '{\"id\": 2, \"ip\": null}'")
        let bad = try licmgr("checkevent", "--json", expect: 65).jsonObject
        let message = ((bad["service_source"] as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
        XCTAssertEqual(
            message,
            "ServiceSource \(program), line 2: 'ip' is null: leave the key out to keep the service's ip, a ip cannot "
                + "be cleared; nothing was imported")
        XCTAssertEqual(try work.store().services(includeClosed: false).count, 8)
    }

    func testASourceRunsWithoutAShellInACleanEnvironmentFromTheRootWithinItsTime() throws {
        let seen = work.directory.appendingPathComponent("seen").path
        work.environment["LICMGR_PASSWORD"] = "secret"
        work.environment["SECRET_TOKEN"] = "x"
        try source(
            "{ pwd; env | sort; printf '%s|' \"$@\"; echo; } > \(seen)\necho '[]'",
            extra: "ServiceSourceTimeout 2")
        try work.writeConfig(
            url: sim.url, extra: "ServiceSource \(program) --db 'two words' $HOME\nServiceSourceTimeout 2")
        try licmgr("checkevent")
        let lines = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "/")
        XCTAssertEqual(lines.last, "--db|'two|words'|$HOME|", "no shell: every word as written")
        let names = Set(lines.dropFirst().dropLast().compactMap { $0.split(separator: "=").first.map(String.init) })
        XCTAssertEqual(
            names.subtracting(["PWD", "SHLVL", "_", "OLDPWD", "LANG"]), ["PATH", "LICMGR_COMMAND", "LICMGR_CONFIG"])
        XCTAssertTrue(lines.contains("LICMGR_COMMAND=checkevent"), "\(lines)")
        XCTAssertTrue(lines.contains("LICMGR_CONFIG=\(work.configPath)"), "\(lines)")

        try source("echo started >&2\nsleep 30", extra: "ServiceSourceTimeout 1")
        let start = Date()
        let slow = try licmgr("checkevent", expect: 75)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(
            said(slow),
            "licmgr: error: ServiceSource \(program) took more than 1 seconds and was stopped: started; the services "
                + "are left as they were\n")
    }

    func testADryRunPlansForTheServicesAsTheSourceWouldLeaveThem() throws {
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1")
        try licmgr("checkevent")
        try printing([service(1), service(3)])
        let plan = try licmgr("checkevent", "--dry-run").stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(plan.count, 3, "\(plan)")
        XCTAssertEqual(
            plan.first,
            "would add service 3: name vps3, ip 10.0.0.3, addons panel=Lite, active; next checkevent: order "
                + "ISPmanager 6 Lite (55227), 1 month: 10.00 EUR")
        XCTAssertTrue(plan[1].hasPrefix("would order ") && plan[1].contains("10.0.0.3"), plan[1])
        XCTAssertEqual(plan.last, "total: 10.00 EUR")
        XCTAssertNil(try work.store().service(3), "a dry run records nothing")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testConfigCheckShowsTheSourceAndRefusesOneThatCannotRun() throws {
        try source("echo '[]'", extra: "ServiceSourceTimeout 45")
        let check = try licmgr("config", "check")
        XCTAssertTrue(check.stdout.contains("service source  \(program) (at most 45 s)\n"), check.stdout)
        let json = try licmgr("config", "check", "--json").jsonObject
        XCTAssertEqual(json["service_source"] as? [String], [program])
        XCTAssertEqual(json["service_source_timeout"] as? Int, 45)

        try work.writeFile("source.sh", "#!/bin/sh\n", mode: 0o644)
        let refused = try licmgr("config", "check", expect: 78)
        XCTAssertEqual(
            said(refused), "licmgr: error: \(work.configPath):8: ServiceSource \(program): is not executable\n")
        let run = try licmgr("checkevent", expect: 78)
        XCTAssertEqual(
            said(run),
            "licmgr: error: ServiceSource \(program) could not be run: not executable; the services are left as they "
                + "were\n")
        try work.writeConfig(url: sim.url, extra: "ServiceSource relative/prog")
        try licmgr("config", "check", expect: 78)
    }
}
