import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The first-contact probe on answers shaped as billmgr-api.md's last section says the real
/// server likely writes them, and on answers licmgr cannot read; and that it sends reads only.
final class FirstContactTests: XCTestCase {
    private var transport: ScriptedTransport!

    override func setUp() {
        super.setUp()
        transport = ScriptedTransport()
    }

    private func probe(configTariffs: Set<Int> = []) throws -> FirstContactReport {
        try FirstContact(
            credentials: Credentials(url: "https://billing.example/billmgr", user: "bob", password: "pw"),
            transport: transport, configTariffs: configTariffs
        ).run()
    }

    private func answer(_ function: String, _ bodies: String...) {
        for body in bodies { transport.enqueue(.body(body), for: function) }
    }

    /// Every request a read: a function that changes nothing, no `sok`, no button pressed.
    private func assertOnlyReads(file: StaticString = #filePath, line: UInt = #line) {
        let reads: Set = [
            "subaccount", "auth", "pricelist.export", "soft", "softexternal", "platform", "soft.edit",
            "softexternal.edit", "platform.edit",
        ]
        for request in transport.requests {
            XCTAssertTrue(reads.contains(request.function), "\(request.function) sent", file: file, line: line)
            XCTAssertNil(request.form["sok"], request.body, file: file, line: line)
            XCTAssertNil(request.form["clicked_button"], request.body, file: file, line: line)
        }
        XCTAssertEqual(
            transport.requests.filter { $0.function.hasSuffix(".edit") }.map { Set($0.form.keys) },
            [["func", "out", "authinfo", "elid"]], "one view, nothing to change", file: file, line: line)
    }

    private static let bm6Balance =
        #"{"doc": {"elem": {"id": {"$": "1"}, "name": {"$": "EUR"}, "balance": {"$": "1000.0000"}, "currency": {"$": "EUR"}}}}"#

    private static let bm6Catalogue = """
        {"doc": {"pricelist": [
          {"id": {"$": "55227"}, "name": {"$": "ISPmanager 6 Lite"}, "active": {"$": "on"},
           "itemtype": {"$": "40"}, "itemtype_info": {"intname": {"$": "soft"}},
           "price": {"$currency": "EUR", "period": [
             {"$type": "month", "$length": "1", "$cost": "490.0000", "$": "1"},
             {"$type": "month", "$length": "12", "$cost": "4900.0000", "$": "12"}]}},
          {"id": {"$": "9203"}, "name": {"$": "CloudLinux"}, "active": {"$": "on"},
           "itemtype": {"$": "77"}, "itemtype_info": {"intname": {"$": "softexternal"}},
           "price": {"$currency": "EUR", "period": {"$type": "month", "$length": "1", "$cost": "12.0000", "$": "1"}}}
        ]}}
        """

    private static func bm6Row(_ id: Int, ip: String) -> String {
        """
        {"id": {"$": "\(id)"}, "licname": {"$": "vps\(id)"}, "ip": {"$": "\(ip)"}, "period": {"$": "1"},
         "update_expiredate": {}, "real_ipchange": {"$": "2026-01-05"}, "real_keychange": {"$": "2026-01-05"},
         "pricelist": {"$": "ISPmanager 6 Lite"}, "account": {"$": "reseller"}, "project": {"$": "ISPsystem"},
         "createdate": {"$": "2026-01-05"}, "expiredate": {"$": "2026-02-05"}, "autoprolong": {"$": "off"},
         "status": {"$": "2"}, "special_status": {}, "status_msg": {}, "item": {"$": "\(id)"},
         "cost": {"$": "490.0000"}}
        """
    }

    func testABillmanager6RemoteReadsAsTheSpecSaysAndTellsWhatWasInferred() throws {
        answer("subaccount", Self.bm6Balance, Self.bm6Balance)
        answer("auth", #"{"doc": {"auth": {"$id": "s3ss10n", "$": "s3ss10n"}}}"#)
        answer("pricelist.export", Self.bm6Catalogue)
        // p_elems counts the page: page 2 shows a license page 1 did not.
        answer(
            "soft",
            #"{"doc": {"p_elems": {"$": "2"}, "elem": [\#(Self.bm6Row(1, ip: "192.0.2.1")), \#(Self.bm6Row(2, ip: "192.0.2.2"))]}}"#,
            #"{"doc": {"p_elems": {"$": "1"}, "elem": \#(Self.bm6Row(3, ip: "192.0.2.3"))}}"#)
        answer("softexternal", #"{"doc": {"p_elems": {"$": "0"}}}"#)
        answer(
            "soft.edit",
            #"{"doc": {"elid": {"$": "1"}, "pricelist": {"$": "55227"}, "lickey": {"$": "abcdef"}, "ip_change_date": {"$": "2026-01-05"}, "lickey_change_date": {"$": "2026-01-05"}}}"#
        )
        let report = try probe(configTariffs: [55227])

        XCTAssertEqual(report.families, [.soft, .softexternal])
        XCTAssertEqual(report.balance, AccountBalance(amount: 10_000_000, currency: "EUR"))
        XCTAssertEqual(report.currency, "EUR")
        XCTAssertEqual(report.moneyDecimals, 4)
        XCTAssertTrue(report.sessions)
        XCTAssertEqual(report.viewed, 1)
        XCTAssertEqual(report.licensesSeen, 3)
        XCTAssertEqual(report.tariffCount, 2)
        for line in [
            "login: authinfo accepted", "balance: 1000.00 EUR",
            "sessions: func=auth works; its session was accepted on a call",
            "catalogue item types are ids; families read from itemtype_info", "money has 4 decimals",
            "change dates come from the list (real_ipchange, real_keychange)",
            "license 1 viewed (soft.edit): key, tariff id, change dates read",
        ] {
            XCTAssertTrue(report.understood.contains(line), "\(line) not in \(report.understood)")
        }
        for line in [
            "list rows name the tariff; ids taken from the catalogue",
            "list rows carry no remoteid (2 of 2); orders in doubt are settled by name and IP",
            "soft list: p_elems (2) counts the page, not the list: paging is proven whole by reading pages until a short one",
        ] {
            XCTAssertTrue(report.inferred.contains(line), "\(line) not in \(report.inferred)")
        }
        // Four decimals read as licmgr's own money reader reads them: nothing left unreadable.
        XCTAssertEqual(report.unreadable, [])
        // The session id went out on its own call, the password on every other.
        let session = transport.requests.filter { $0.form["auth"] != nil }
        XCTAssertEqual(session.map(\.function), ["subaccount"])
        XCTAssertEqual(session.first?.form["auth"], "s3ss10n")
        assertOnlyReads()
    }

    func testWhatMoneyDependsOnButCannotBeReadIsNamed() throws {
        answer("subaccount", #"{"doc": {"elem": {"id": {"$": "1"}, "balance": {"$": "n/a"}}}}"#)
        answer("auth", #"{"doc": {"error": {"$type": "missed", "msg": {"$": "Unknown function"}}}}"#)
        answer(
            "pricelist.export",
            """
            {"doc": {"pricelist": [
              {"id": {"$": "55227"}, "name": {"$": "Lite"}, "itemtype": {"$": "soft"},
               "price": {"$currency": "EUR", "period": {"$type": "month", "$length": "1", "$cost": "ten", "$": "1"}}},
              {"id": {"$": "777"}, "name": {"$": "Node"}, "itemtype": {"$": "9"},
               "price": {"$currency": "EUR", "period": {"$type": "month", "$length": "1", "$cost": "5.00", "$": "1"}}}
            ]}}
            """)
        answer(
            "soft",
            """
            {"doc": {"p_elems": {"$": "4"}, "elem": [
              {"licname": {"$": "a"}, "pricelist": {"$": "55227"}, "status": {"$": "2"}, "expiredate": {"$": "2026-02-01"}},
              {"id": {"$": "11"}, "pricelist": {"$": "Mystery plan"}, "status": {"$": "Frozen"}},
              {"id": {"$": "12"}, "pricelist": {"$": "55227"}, "status": {"$": "2"}, "expiredate": {"$": "1 Feb 2026"}},
              {"id": {"$": "13"}, "pricelist": {"$": "55227"}, "status": {"$": "1"}}
            ]}}
            """,
            #"{"doc": {"p_elems": {"$": "4"}}}"#)
        answer("soft.edit", #"{"doc": {"elid": {"$": "11"}, "licname": {"$": "b"}}}"#)
        let report = try probe(configTariffs: [777])

        XCTAssertFalse(report.ok)
        XCTAssertFalse(report.sessions)
        XCTAssertTrue(
            report.inferred.contains(
                "sessions: func=auth refused (missed: Unknown function); authinfo is sent on every call"),
            "\(report.inferred)")
        for expected in [
            "balance: subaccount gives no balance licmgr can read (it shows 'n/a')",
            "catalogue: 1 cost(s) licmgr cannot read, e.g. 'ten' (tariff 55227 period 1)",
            "catalogue: tariff 777, named by the config, is of item type '9', which names no family licmgr knows",
            "soft list: 1 of 4 rows carry no id",
            "soft list: 1 row(s) with a status licmgr does not know, e.g. license 11: 'Frozen'",
            "soft list: 1 active or suspended license(s) without a readable expiredate, e.g. license 12: '1 Feb 2026'",
            "list rows name tariff 'Mystery plan', which neither the catalogue nor a view resolves to an id",
        ] {
            XCTAssertTrue(report.unreadable.contains(expected), "\(expected) not in \(report.unreadable)")
        }
        XCTAssertNil(report.balance)
        // The license in status 1 has no expiry yet, and that is no fault.
        XCTAssertFalse(report.unreadable.contains { $0.contains("license 13") }, "\(report.unreadable)")
        assertOnlyReads()
    }

    func testAnEmptyAccountSaysWhatItCouldNotSeeAndViewsNothing() throws {
        answer("subaccount", Self.bm6Balance, Self.bm6Balance)
        answer("auth", #"{"doc": {"auth": {"$id": "5e5510n1d"}}}"#)
        answer("pricelist.export", #"{"doc": {}}"#)
        answer("soft", #"{"doc": {"p_elems": {"$": "0"}}}"#)
        let report = try probe()
        XCTAssertTrue(report.ok, "\(report.unreadable)")
        XCTAssertNil(report.viewed)
        XCTAssertTrue(report.understood.contains("soft list: empty"), "\(report.understood)")
        XCTAssertTrue(report.inferred.contains { $0.hasPrefix("no license on the account yet") }, "\(report.inferred)")
        XCTAssertEqual(
            transport.requests.map(\.function), ["subaccount", "auth", "subaccount", "pricelist.export", "soft"])
    }

    func testASessionTheRemoteRefusesAndAListingOfAnUnusedFamilyRefusedAreWarnings() throws {
        answer("subaccount", Self.bm6Balance)
        answer("auth", #"{"doc": {"auth": {"$id": "5e5510n1d"}}}"#)
        answer(
            "subaccount",
            #"{"doc": {"error": {"$type": "access", "msg": {"$": "Insufficient privileges to perform the function"}}}}"#
        )
        answer("pricelist.export", Self.bm6Catalogue.replacingOccurrences(of: "0000\"", with: "00\""))
        answer("soft", #"{"doc": {"p_elems": {"$": "0"}}}"#)
        answer("softexternal", #"{"doc": {"error": {"$type": "access", "msg": {"$": "no third-party licenses"}}}}"#)
        let report = try probe(configTariffs: [55227])
        XCTAssertTrue(report.ok, "\(report.unreadable)")
        XCTAssertFalse(report.sessions)
        XCTAssertTrue(
            report.inferred.contains(
                "sessions: the session func=auth gave was refused on a call (access: Insufficient privileges to perform the function); authinfo is sent on every call"
            ), "\(report.inferred)")
        XCTAssertTrue(
            report.inferred.contains(
                "softexternal list refused (access: no third-party licenses); licenses of that family are not followed"),
            "\(report.inferred)")
    }

    func testRefusedCredentialsStopTheProbeBeforeAnythingElse() {
        answer("subaccount", #"{"doc": {"error": {"$type": "auth", "msg": {"$": "Invalid username or password"}}}}"#)
        XCTAssertThrowsError(try probe()) { error in
            XCTAssertEqual(ExitStatus.of(error), .noPermission)
        }
        XCTAssertEqual(transport.requests.map(\.function), ["subaccount"])
    }
}
