import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// The worked ServiceSource programs in etc/service-sources, each run by checkevent against a
/// fixture: the WHMCS query through a stand-in mysql client, mgrctl's list through a stand-in
/// mgrctl, and a CSV file.
final class ServiceSourceExamplesAcceptanceTests: AcceptanceTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    private static let fixtures = root.appendingPathComponent("Tests/licmgrTests/Fixtures/service-sources")

    private func example(_ name: String) -> String {
        Self.root.appendingPathComponent("etc/service-sources/\(name)").path
    }

    private func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    /// A stand-in for a client program: checks its arguments with `check` (a shell test), then
    /// prints `output` (a file) or fails as a real client would.
    private func standIn(_ name: String, check: String, output: String) throws -> String {
        try work.writeFile(
            name,
            """
            #!/bin/sh
            printf '%s\\n' "$@" > "$0.args"
            if ! \(check); then echo "\(name): unexpected arguments: $*" >&2; exit 2; fi
            if [ -e "$0.down" ]; then echo "ERROR 2003 (HY000): Can't connect to server" >&2; exit 1; fi
            cat '\(output)'
            """, mode: 0o755)
        return work.directory.appendingPathComponent(name).path
    }

    private func services() throws -> [Service] { try work.store().services(includeClosed: true) }

    func testWHMCSServicesComeFromOneQueryThroughTheMysqlClient() throws {
        let client = try standIn(
            "mysql",
            check:
                #"[ "$1" = "--defaults-extra-file=/etc/whmcs-ro.cnf" ] && [ "$2" = --batch ] && [ "$7" = whmcs ] && "#
                + #"case "$6" in *"FROM tblhosting h"*"h.packageid IN (12, 14)"*) true;; *) false;; esac"#,
            output: fixture("whmcs-query.tsv"))
        try work.writeFile(
            "whmcs.ini",
            """
            [whmcs]
            client = \(client)
            defaults_file = /etc/whmcs-ro.cnf
            database = whmcs
            products = 12 14

            [addons]
            ISPmanager 6 Lite = panel=Lite
            ISPmanager 6 Pro = panel=Pro
            """)
        try work.writeConfig(
            url: sim.url, extra: "ServiceSource \(example("whmcs-services")) \(work.directory.path)/whmcs.ini")
        try licmgr("checkevent")
        XCTAssertEqual(
            try services(),
            [
                Service(
                    id: 101, name: "vps101.example.com", ip: "192.0.2.101", package: 12, period: 1,
                    addons: ["panel": "Lite"]),
                Service(
                    id: 102, name: "vps102.example.com", ip: "192.0.2.102", package: 12, period: 12,
                    addons: ["panel": "Pro"], status: .suspended),
                Service(id: 103, name: "service 103", ip: "2001:db8::103", package: 14),
                Service(
                    id: 105, name: #"café\shop.example.com"#, ip: "192.0.2.105", package: 14, period: 3,
                    addons: ["panel": "Lite"]),
            ])
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 2, "the active services with a panel")

        // The database down: nothing changes, and the client's own words say why.
        try work.writeFile("mysql.down", "")
        let down = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(
            down.stderr.contains(
                "ServiceSource \(example("whmcs-services")) exited 1: whmcs-services: \(client) exited 1: ERROR 2003 "
                    + "(HY000): Can't connect to server; the services are left as they were"), down.stderr)
        XCTAssertEqual(try services().filter { $0.status == .closed }, [])
    }

    func testBILLmanagerServicesComeFromMgrctlsList() throws {
        let mgrctl = try standIn(
            "mgrctl", check: #"[ "$*" = "-m billmgr vds" ]"#, output: fixture("mgrctl-vds.txt"))
        try work.writeFile(
            "billmanager.ini",
            """
            [billmanager]
            mgrctl = \(mgrctl)
            function = vds

            [tariffs]
            VDS Start + ISPmanager Lite = panel=Lite
            VDS Pro + ISPmanager Pro = panel=Pro
            """)
        // What a record leaves out stays: the period set by hand survives every import.
        try licmgr("service", "add", "203", "--name", "old", "--ip", "192.0.2.203", "--period", "12")
        try work.writeConfig(
            url: sim.url,
            extra: "ServiceSource \(example("billmanager-services")) \(work.directory.path)/billmanager.ini")
        try licmgr("checkevent")
        XCTAssertEqual(
            try services(),
            [
                Service(id: 201, name: "srv201.example.com", ip: "192.0.2.201", addons: ["panel": "Lite"]),
                Service(
                    id: 202, name: "srv202.example.com", ip: "192.0.2.202", addons: ["panel": "Pro"], status: .suspended
                ),
                Service(id: 203, name: "srv203.example.com", ip: "192.0.2.203", period: 12),
            ])
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testCSVServicesComeFromAFile() throws {
        let csv = work.directory.appendingPathComponent("services.csv").path
        try FileManager.default.copyItem(atPath: fixture("services.csv"), toPath: csv)
        try work.writeConfig(url: sim.url, extra: "Price ipmgr 2891\nServiceSource \(example("csv-services")) \(csv)")
        try licmgr("checkevent")
        XCTAssertEqual(
            try services(),
            [
                Service(
                    id: 301, name: "vps301.example.com", ip: "192.0.2.31", package: 12, period: 1,
                    addons: ["panel": "Lite"]),
                Service(
                    id: 302, name: "vps302, the shop", ip: "2001:db8::302", period: 12,
                    addons: ["panel": "Pro", "ipmgr": "on"], status: .suspended),
                Service(id: 303, name: "vps303.example.com", ip: "192.0.2.33", package: 12, period: 1),
            ])

        // A service gone from the file is closed; a row at fault changes nothing.
        try work.writeFile(
            "services.csv",
            "id,name,ip,addons\n301,vps301.example.com,192.0.2.31,panel=Lite\n302,x,2001:db8::302,panel=Pro\n")
        try licmgr("checkevent")
        XCTAssertEqual(try work.store().service(303)?.status, .closed)
        XCTAssertEqual(try work.store().service(302)?.addons, ["panel": "Pro"])
        XCTAssertEqual(try work.store().service(302)?.status, .suspended, "no status column: kept")
        try work.writeFile("services.csv", "id,name,ip\n301,vps301.example.com,\n")
        let bad = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(bad.stderr.contains("exited 1: csv-services: \(csv), row 2: no ip;"), bad.stderr)
        XCTAssertEqual(try work.store().service(302)?.status, .suspended)
    }
}
