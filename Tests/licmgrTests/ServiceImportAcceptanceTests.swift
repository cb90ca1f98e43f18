import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// What `service import` refuses because it cannot store it as given: each refusal changes nothing.
final class ServiceImportAcceptanceTests: AcceptanceTestCase {
    func testImportNeverReopensAClosedService() throws {
        try addService(7, ip: "10.0.0.7")
        try licmgr("service", "close", "7")
        try work.writeFile(
            "services.jsonl",
            """
            {"id": 8, "name": "vps8", "ip": "10.0.0.8"}
            {"id": 7, "name": "vps7", "ip": "10.0.0.7", "addons": {"panel": "Lite"}, "status": "active"}
            """)
        let result = try licmgr("service", "import", "services.jsonl", expect: 65)
        XCTAssertTrue(result.stderr.contains("services.jsonl, line 2: service 7 is closed"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line")
        XCTAssertEqual(try work.store().service(7)?.status, .closed)
        XCTAssertNil(try work.store().service(8), "all or nothing")
        try licmgr("checkevent")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 0)
    }

    func testImportIdBeyondTwoToThe53IsRefusedNotRounded() throws {
        try licmgr("service", "import", input: #"{"id": 9007199254740992, "name": "big", "ip": "10.0.0.1"}"#)
        let result = try licmgr(
            "service", "import", input: #"[{"id": 9007199254740993, "name": "other", "ip": "10.0.0.2"}]"#, expect: 65)
        XCTAssertTrue(result.stderr.contains("standard input, element 1: 'id'"), result.stderr)
        let kept = try XCTUnwrap(try work.store().service(9_007_199_254_740_992))
        XCTAssertEqual(kept.name, "big")
        XCTAssertEqual(kept.ip, "10.0.0.1")
        XCTAssertEqual(try work.store().services(includeClosed: true).count, 1)
    }

    func testNULInANameIsRefused() throws {
        let input = """
            {"id": 1, "name": "a", "ip": "10.0.0.1"}
            {"id": 2, "name": "b\\u0000c", "ip": "10.0.0.2"}
            """
        let result = try licmgr("service", "import", input: input, expect: 65)
        XCTAssertTrue(result.stderr.contains("standard input, line 2: 'name'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("NUL"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty, "all or nothing")
    }

    func testInvalidUTF8IsRefused() throws {
        var bytes = Data(#"{"id": 1, "name": "a", "ip": "10.0.0.1"}"#.utf8 + [0x0a])
        bytes += Data(#"{"id": 2, "name": "b"#.utf8) + Data([0xff]) + Data(#"", "ip": "10.0.0.2"}"#.utf8)
        try bytes.write(to: work.directory.appendingPathComponent("services.jsonl"))
        let result = try licmgr("service", "import", "services.jsonl", expect: 65)
        XCTAssertTrue(result.stderr.contains("services.jsonl, line 2: invalid UTF-8 at byte 61"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty, "all or nothing")
    }

    // MARK: - What a record leaves out, what it clears

    func testAKeyLeftOutKeepsTheFieldAndNullClearsIt() throws {
        try addService(7, ip: "10.0.0.7", extra: ["--package", "12", "--period", "12"])
        try licmgr("service", "suspend", "7")
        try licmgr("service", "import", input: #"{"id": 7, "ip": "10.0.0.70"}"#)
        XCTAssertEqual(
            try work.store().service(7),
            Service(
                id: 7, name: "vps7", ip: "10.0.0.70", package: 12, period: 12, addons: ["panel": "Lite"],
                status: .suspended))

        try licmgr("service", "import", input: #"{"id": 7, "package": null, "period": null, "addons": null}"#)
        XCTAssertEqual(
            try work.store().service(7), Service(id: 7, name: "vps7", ip: "10.0.0.70", status: .suspended))
        let history = try licmgr("history", "--service", "7", "--json").jsonArray.compactMap { $0["detail"] as? String }
        XCTAssertEqual(history.last, "package 12 -> -, period 12 (1 year) -> -, addons panel=Lite -> -")

        for key in ["name", "ip", "status"] {
            let refused = try licmgr("service", "import", input: #"{"id": 7, "\#(key)": null}"#, expect: 65)
            XCTAssertEqual(
                refused.stderr,
                "licmgr: error: standard input, line 1: '\(key)' is null: leave the key out to keep the service's "
                    + "\(key), a \(key) cannot be cleared; nothing was imported\n")
        }
        let new = try licmgr(
            "service", "import", input: #"[{"id": 7, "name": "x"}, {"id": 8, "ip": "10.0.0.8"}]"#, expect: 65)
        XCTAssertEqual(
            new.stderr,
            "licmgr: error: standard input, element 2: service 8 is new, so it needs 'name'; nothing was imported\n")
        XCTAssertEqual(try work.store().service(7)?.name, "vps7", "all or nothing")
    }

    // MARK: - What a dry run lists

    func testDryRunListsEachChangeAndWhatTheNextCheckeventSpends() throws {
        try licmgr("import-tariffs")
        try addService(1, ip: "10.0.0.1")
        try addService(2, ip: "10.0.0.2")
        try licmgr("checkevent")
        let license = try XCTUnwrap(try work.store().licenses(serviceID: 1).first?.id)
        let export = """
            {"id": 1, "ip": "10.0.0.11", "addons": {"panel": "Pro"}}
            {"id": 2, "name": "vps2", "ip": "10.0.0.2", "addons": {"panel": "Lite"}}
            {"id": 3, "name": "vps3", "ip": "10.0.0.3", "addons": {"panel": "Lite"}}
            """
        let plan = try licmgr("service", "import", "--dry-run", input: export)
        XCTAssertEqual(
            plan.stdout,
            """
            would change service 1 (vps1): ip 10.0.0.1 -> 10.0.0.11, addons panel=Lite -> panel=Pro; next checkevent: \
            change license \(license) to ISPmanager 6 Pro (55228), 1 month: 18.00 EUR
            would add service 3: name vps3, ip 10.0.0.3, addons panel=Lite, active; next checkevent: order ISPmanager \
            6 Lite (55227), 1 month: 10.00 EUR
            would import 3 service(s): 1 added, 1 changed, 1 unchanged; the next checkevent may spend 28.00 EUR on them

            """)
        let json = try licmgr("service", "import", "--dry-run", "--json", input: export).jsonObject
        XCTAssertEqual(json["cost"] as? Double, 28)
        XCTAssertEqual(json["currency"] as? String, "EUR")
        let changes = try XCTUnwrap(json["changes"] as? [[String: Any]])
        XCTAssertEqual(changes.map { $0["change"] as? String }, ["changed", "added"])
        let fields = try XCTUnwrap(changes[0]["fields"] as? [String: [String: Any]])
        XCTAssertEqual(Set(fields.keys), ["ip", "addons"])
        XCTAssertEqual(fields["ip"]?["old"] as? String, "10.0.0.1")
        XCTAssertEqual(fields["ip"]?["new"] as? String, "10.0.0.11")
        XCTAssertEqual(fields["addons"]?["new"] as? [String: String], ["panel": "Pro"])
        let cost = try XCTUnwrap((changes[0]["costs"] as? [[String: Any]])?.first)
        XCTAssertEqual(cost["step"] as? String, "change_tariff")
        XCTAssertEqual(cost["license_id"] as? Int, license)
        XCTAssertEqual(cost["tariff"] as? Int, 55228)
        XCTAssertEqual(cost["cost"] as? Double, 18)
        XCTAssertNil(try work.store().service(3), "a dry run records nothing")

        // What the import said the next checkevent would spend is what that checkevent plans.
        try licmgr("service", "import", input: export)
        let next = try licmgr("checkevent", "--dry-run", "--json").jsonObject
        XCTAssertEqual(next["cost"] as? Double, 28, "\(next)")
    }

    func testWithoutTheCatalogueAPriceIsSaidToBeUnknown() throws {
        let plan = try licmgr(
            "service", "import", "--dry-run",
            input: #"{"id": 3, "name": "vps3", "ip": "10.0.0.3", "addons": {"panel": "Lite"}}"#)
        XCTAssertEqual(
            plan.stdout,
            """
            would add service 3: name vps3, ip 10.0.0.3, addons panel=Lite, active; next checkevent: order tariff \
            55227, 1 month: unknown price
            would import 1 service(s): 1 added, 0 changed, 0 unchanged; the next checkevent makes 1 purchase(s) of \
            unknown price (run 'licmgr import-tariffs') for them

            """)
    }

    // MARK: - --prune

    /// Services 1...`count` with a license each; returns an export that holds the first `kept`.
    private func servedServices(_ count: Int, keeping kept: Int) throws -> String {
        for id in 1...count { try addService(id, ip: "10.0.0.\(id)") }
        try licmgr("checkevent")
        return (1...kept).map {
            #"{"id": \#($0), "name": "vps\#($0)", "ip": "10.0.0.\#($0)", "addons": {"panel": "Lite"}}"#
        }.joined(separator: "\n")
    }

    func testPruneClosesServicesGoneFromTheExportAndCheckeventLetsTheirLicensesGo() throws {
        let export = try servedServices(3, keeping: 2)
        let plan = try licmgr("service", "import", "--prune", "--dry-run", input: export)
        XCTAssertTrue(
            plan.stdout.contains("would close service 3 (vps3, 10.0.0.3): absent from the export"), plan.stdout)
        XCTAssertEqual(try work.store().service(3)?.status, .active, "a dry run changes nothing")

        let run = try licmgr("service", "import", "--prune", "--json", input: export).jsonObject
        XCTAssertEqual(run["closed"] as? [Int], [3])
        XCTAssertEqual(run["unchanged"] as? Int, 2)
        XCTAssertEqual(try work.store().service(3)?.status, .closed)
        XCTAssertEqual(try sim.state().calls("soft.delete").count, 0, "import never touches the remote")
        try licmgr("checkevent")
        let deletes = try sim.state().calls("soft.delete")
        XCTAssertEqual(
            deletes.map { $0.params["elid"] }, [try work.store().licenses(serviceID: 3).first.map { String($0.id) }])
        let again = try licmgr("service", "import", "--prune", "--json", input: export).jsonObject
        XCTAssertEqual(again["closed"] as? [Int], [], "a closed service is not closed again")
    }

    func testPruneRefusesAnEmptyOrTruncatedExportUnlessTold() throws {
        let export = try servedServices(8, keeping: 1)
        let empty = try licmgr("service", "import", "--prune", input: "", expect: 65)
        XCTAssertEqual(empty.stderr.split(separator: "\n").count, 1, empty.stderr)
        XCTAssertTrue(
            empty.stderr.contains("--prune would close 8 of 8 open services, the export holds no services"),
            empty.stderr)
        XCTAssertTrue(empty.stderr.contains("--prune-max 8"), empty.stderr)
        let cut = try licmgr("service", "import", "--prune", "--json", input: export, expect: 65).jsonObject
        let message = (cut["error"] as? [String: Any])?["message"] as? String ?? ""
        XCTAssertTrue(message.contains("would close 7 of 8 open services, more than 5 and more than 10%"), message)
        try licmgr("service", "import", "--prune", "--prune-max", "6", input: export, expect: 65)
        XCTAssertEqual(try work.store().services(includeClosed: false).count, 8, "nothing written")
        try licmgr("service", "import", "--prune-max", "6", input: export, expect: 64)

        let plan = try licmgr("service", "import", "--prune", "--prune-max", "7", "--dry-run", input: export)
        XCTAssertEqual(plan.stdout.split(separator: "\n").filter { $0.hasPrefix("would close service") }.count, 7)
        try licmgr("service", "import", "--prune", "--prune-max", "7", input: export)
        XCTAssertEqual(try work.store().services(includeClosed: false).map(\.id), [1])
    }
}
