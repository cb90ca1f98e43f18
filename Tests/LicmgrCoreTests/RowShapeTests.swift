import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The shapes BILLmanager 6 gives rows, views and catalogue entries, read alongside the old ones.
final class RowShapeTests: XCTestCase {
    private func row(_ fields: [String: Any]) throws -> License {
        try BillmgrClient.license(
            from: try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "soft"), function: "soft")
    }

    func testRowNamingItsTariffKeepsTheNameAndNoId() throws {
        let license = try row(["id": "5", "pricelist": "ISPmanager 6 Lite", "status": "2"])
        XCTAssertEqual(license.pricelist, 0)
        XCTAssertEqual(license.tariffName, "ISPmanager 6 Lite")
        let numbered = try row(["id": "5", "pricelist": "55227", "status": "2"])
        XCTAssertEqual(numbered.pricelist, 55227, "a number is the id, as before")
        XCTAssertNil(numbered.tariffName)
    }

    func testViewSelectGivesTheIdAndItsOptionTheName() throws {
        let options: [[String: Any]] = [
            ["$key": "55382", "$": "BILLmanager 6"], ["$key": "55384", "$": "BILLmanager 6"],
            ["$key": "55227", "$": "ISPmanager 6 Lite"],
        ]
        let slists: [[String: Any]] = [
            ["$name": "autoprolong", "val": [["$key": "null", "$": "off"]]], ["$name": "pricelist", "val": options],
        ]
        let lite = try row(["id": "5", "pricelist": "55227", "status": "2", "slist": slists])
        XCTAssertEqual(lite.pricelist, 55227)
        XCTAssertEqual(lite.tariffName, "ISPmanager 6 Lite")
        XCTAssertTrue(lite.tariffNameIsUnique)
        let shared = try row(["id": "6", "pricelist": "55384", "status": "2", "slist": slists])
        XCTAssertEqual(shared.tariffName, "BILLmanager 6")
        XCTAssertFalse(shared.tariffNameIsUnique, "two options bear the name")
        let bare = try row(["id": "7", "pricelist": "55227", "status": "2"])
        XCTAssertFalse(bare.tariffNameIsUnique, "a form without options proves nothing")
        let alone = try row([
            "id": "8", "pricelist": "55227", "status": "2",
            "slist": ["$name": "pricelist", "val": ["$key": "55227", "$": "ISPmanager 6 Lite"]],
        ])
        XCTAssertEqual(alone.tariffName, "ISPmanager 6 Lite", "one option stands as an object")
        XCTAssertFalse(alone.tariffNameIsUnique, "nor does a select of the license's own tariff alone")
    }

    func testBM6RowCarriesTheChangeDates() throws {
        let license = try row([
            "id": "5", "pricelist": "55227", "status": "2", "real_ipchange": "2024-02-03",
            "real_keychange": "2024-03-04 10:11:12",
        ])
        XCTAssertEqual(license.ipChanged, Day(year: 2024, month: 2, day: 3))
        XCTAssertEqual(license.keyChanged, Day(year: 2024, month: 3, day: 4))
        XCTAssertNil(license.remoteID)
    }

    func testCatalogueItemTypeByNameOrByIdWithItsInfo() throws {
        func type(_ fields: [String: Any]) throws -> String {
            BillmgrClient.itemType(
                of: try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "pricelist.export"))
        }
        XCTAssertEqual(try type(["itemtype": "softexternal"]), "softexternal")
        XCTAssertEqual(
            try type(["itemtype": "74", "itemtype_info": ["intname": ["$": "softexternal"]]]), "softexternal")
        XCTAssertEqual(try type(["itemtype": "74", "itemtype_info": ["$intname": "platform"]]), "platform")
        XCTAssertEqual(try type(["itemtype": "74"]), "74", "an id without a name stays an id")
        XCTAssertNil(ProductLine(itemType: "74"))
        XCTAssertNil(ProductLine(itemType: "vds"))
        XCTAssertNil(ProductLine(itemType: ""))
        XCTAssertEqual(ProductLine(itemType: "SoftExternal"), .softexternal)
    }

    func testTariffOfAnUnknownFamilyIsNeverTakenForSoft() {
        let vps = Tariff(id: 2187, name: "VPS", active: true, itemType: "vds", currency: "EUR", periods: [])
        let numbered = Tariff(id: 9203, name: "CloudLinux", active: true, itemType: "74", currency: "EUR", periods: [])
        let resolver = Resolver(
            config: Config(path: "/c"), catalogue: Catalogue(tariffs: [2187: vps, 9203: numbered]))
        XCTAssertNil(resolver.line(forTariff: 2187))
        XCTAssertNil(resolver.line(forTariff: 9203), "the catalogue's word overrides the known id")
        XCTAssertThrowsError(try resolver.line(forTariff: 2187, addon: "vps", value: "2187")) { error in
            XCTAssertTrue("\(error)".contains("addon vps=2187"), "\(error)")
            XCTAssertTrue("\(error)".contains("item type is 'vds'"), "\(error)")
        }
        XCTAssertTrue(resolver.whyNotSold(tariff: 9203)?.contains("import-tariffs") == true)
        let lines = TariffSuggestions.lines(for: [vps])
        XCTAssertFalse(lines.contains { $0.hasPrefix("Price") }, "\(lines)")
    }

    // MARK: - Values written for a person

    private func rowError(_ fields: [String: Any]) -> String {
        do {
            _ = try row(fields)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func testStatusAsCodeOrigOrWordingInEitherLanguage() throws {
        let cases: [(Any, License.Status)] = [
            ("3", .suspended), (" 4 ", .deleted), (["$orig": "3", "$": "Suspended"], .suspended),
            (["$orig": "2", "$": "Активна"], .active), ("Active", .active), ("stopped", .suspended),
            ("Deleted", .deleted), ("Ordered", .ordered), ("In progress", .processing), ("Processing", .processing),
            ("Остановлена", .suspended), ("Приостановлен", .suspended), ("Удалена", .deleted),
            ("Заказана", .ordered), ("Обрабатывается", .processing), (["$": "5"], .processing),
        ]
        for (written, status) in cases {
            XCTAssertEqual(try row(["id": "5", "status": written]).status, status, "\(written)")
        }
        XCTAssertEqual(try row(["id": "5", "item_status": "Suspended"]).status, .suspended)
    }

    /// A status guessed wrong has licmgr buy beside a license it has, or keep one that is gone:
    /// what cannot be read is an error naming the function, the license and the field.
    func testUnreadableOrMissingStatusIsAnErrorNotAFreshOrder() {
        XCTAssertEqual(
            rowError(["id": "5", "status": "Frozen"]),
            "soft: the answer is not BILLmanager's protocol: license 5: status 'Frozen' is not a license status")
        XCTAssertEqual(
            rowError(["id": "5", "status": "7"]),
            "soft: the answer is not BILLmanager's protocol: license 5: status '7' is not a license status")
        XCTAssertEqual(
            rowError(["id": "5", "item_status": ["$orig": "9", "$": "Active"]]),
            "soft: the answer is not BILLmanager's protocol: license 5: item_status '9' is not a license status",
            "a code licmgr does not know is not read past to its wording")
        XCTAssertEqual(
            rowError(["id": "5", "status": [String: Any]()]),
            "soft: the answer is not BILLmanager's protocol: license 5: status '' is not a license status")
        XCTAssertEqual(rowError(["id": "5"]), "soft: the answer is not BILLmanager's protocol: license 5 has no status")
    }

    /// An edit form need not show the status: a view without one says nothing of it, and the
    /// status licmgr knows stands; a list row must say it.
    func testAViewMaySayNoStatusButNotOneItCannotRead() throws {
        func view(_ fields: [String: Any]) throws -> License {
            try BillmgrClient.license(
                from: try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "soft.edit"),
                function: "soft.edit", fallbackID: 5, view: true)
        }
        XCTAssertTrue(try view(["elid": "5", "pricelist": "55227"]).statusUnsaid)
        XCTAssertFalse(try view(["elid": "5", "status": "3"]).statusUnsaid)
        XCTAssertEqual(try view(["elid": "5", "status": "3"]).status, .suspended)
        XCTAssertThrowsError(try view(["elid": "5", "status": "Frozen"]))
        XCTAssertFalse(try row(["id": "5", "status": "2"]).statusUnsaid)
    }

    func testDatesInEveryShapeAndNoneSaid() throws {
        let day = Day(year: 2027, month: 1, day: 31)
        for written in [
            "2027-01-31", "2027-01-31 00:00:00", " 2027-01-31T12:30:00Z", "2027-01-31T00:00:00+03:00", "31.01.2027",
        ] {
            XCTAssertEqual(try row(["id": "5", "status": "2", "expiredate": written]).expires, day, written)
        }
        for none in ["", " ", "0000-00-00", "0000-00-00 00:00:00", "-", "—"] {
            let license = try row([
                "id": "5", "status": "2", "expiredate": none, "createdate": none, "real_ipchange": none,
            ])
            XCTAssertNil(license.expires, none)
            XCTAssertNil(license.created, none)
            XCTAssertNil(license.ipChanged, none)
        }
        XCTAssertNil(try row(["id": "5", "status": "2", "expiredate": [String: Any]()]).expires, "an empty element")
        XCTAssertEqual(
            try row(["id": "5", "status": "2", "expiredate": ["$orig": "2027-01-31", "$": "31 января 2027"]]).expires,
            day, "the date beside its wording")
    }

    /// An expiry read as none is never renewed: a date licmgr cannot read stops the read.
    func testUnreadableDateIsAnErrorNamingItsField() {
        XCTAssertEqual(
            rowError(["id": "5", "status": "2", "expiredate": "Jan 31, 2027"]),
            "soft: the answer is not BILLmanager's protocol: license 5: expiredate 'Jan 31, 2027' is not a date")
        XCTAssertEqual(
            rowError(["id": "5", "status": "2", "real_keychange": "2027-02-30"]),
            "soft: the answer is not BILLmanager's protocol: license 5: real_keychange '2027-02-30' is not a date")
        XCTAssertEqual(
            rowError(["id": "5", "status": "2", "createdate": "31.01.27"]),
            "soft: the answer is not BILLmanager's protocol: license 5: createdate '31.01.27' is not a date")
    }

    /// Found by the cells fuzzer: `+027-01-31T10:00` read as an expiry in the year 27 (and
    /// `31.01.-028` in the year -28), which would have licmgr take the license for long lapsed;
    /// a sign is no part of a date.
    func testASignedDateIsAnErrorNotAnotherYear() {
        for written in ["+027-01-31T10:00", "+027-01-31", "2027-+1-31", "+1.01.2027", "31.+1.2027 10:00", "31.01.-028"]
        {
            XCTAssertEqual(
                rowError(["id": "5", "status": "2", "expiredate": written]),
                "soft: the answer is not BILLmanager's protocol: license 5: expiredate '\(written)' is not a date")
        }
    }

    func testCodesBesideWordingsAndBlanksAroundValues() throws {
        let license = try row([
            "id": " 5 ", "status": "2", "ip": " 192.0.2.7 ", "pricelist": ["$orig": "55227", "$": "ISPmanager 6 Lite"],
            "period": ["$orig": "12", "$": "1 year"], "extra": ["$": "ignored"],
        ])
        XCTAssertEqual(license.id, 5)
        XCTAssertEqual(license.ip, "192.0.2.7")
        XCTAssertEqual(license.pricelist, 55227, "the code beside the tariff's name is its id")
        XCTAssertEqual(license.period, 12)
        let worded = try row(["id": "5", "status": "2", "period": "1 month", "ip": ""])
        XCTAssertNil(worded.period, "a period in words is left to the catalogue and the config, never guessed")
        XCTAssertEqual(worded.ip, "", "a fresh order has no IP yet")
    }

    func testCatalogueActiveFlagInEverySpellingAndNoOther() throws {
        func active(_ value: Any?) throws -> Bool {
            var fields: [String: Any] = ["id": "55227"]
            if let value { fields["active"] = value }
            return try BillmgrClient.isActive(
                try DocNode.parse(Data(BillmgrJSON.doc(fields).utf8), function: "pricelist.export"), tariff: 55227)
        }
        for on in ["on", "ON", "yes", "true", "1", nil] as [Any?] {
            XCTAssertTrue(try active(on), "\(String(describing: on))")
        }
        for off in ["off", "no", "false", "0"] { XCTAssertFalse(try active(off), off) }
        XCTAssertThrowsError(try active("maybe")) { error in
            XCTAssertEqual(
                "\(error)",
                "pricelist.export: the answer is not BILLmanager's protocol: tariff 55227: active 'maybe' is neither on nor off"
            )
        }
    }

    /// Money is never misread: an amount written for a person reads as the same amount, and
    /// anything ambiguous stays as written, an unknown price.
    func testCatalogueCostWrittenForAPersonReadsExactlyOrNotAtAll() {
        let read: [(String?, String)] = [
            ("490.0000", "490.0000"), ("490", "490"), (" 12.5 ", "12.5"), ("1 490.00", "1490.00"),
            ("1\u{00A0}490,50", "1490.50"), ("490.00 RUB", "490.00"), ("€12,5", "12.5"), ("490,0000 руб.", "490.0000"),
            (nil, ""), ("", ""),
        ]
        for (written, kept) in read {
            XCTAssertEqual(BillmgrClient.cost(written), kept, "\(String(describing: written))")
        }
        for unread in ["ten", "1,490", "-5.00", "1.2.3", "12.5.", ".5", "1,2,3", "490.00001", "RUB 1 490.00 or 12"] {
            XCTAssertEqual(BillmgrClient.cost(unread), unread, unread)
        }
    }

    /// Found by the cells fuzzer: a lone dot before three digits parts thousands as well as a
    /// comma does (`1.490 RUB` read as 1.49), and a minus written as Unicode's or as a dash
    /// was no sign (`−5.00 RUB` read as 5.00).
    func testCatalogueCostWithAThousandsDotOrAUnicodeMinusStaysUnread() {
        for unread in ["1.490 RUB", "€1.490", "1 490.000 руб.", "−5.00 RUB", "– 5.00", "S0 −", "12 RUB \u{2212}"] {
            XCTAssertEqual(BillmgrClient.cost(unread), unread, unread)
        }
        XCTAssertEqual(BillmgrClient.cost("1.49 RUB"), "1.49", "two decimals are no thousands")
    }

    func testCataloguePeriodCostAsAnElement() throws {
        let node = try DocNode.parse(
            Data(BillmgrJSON.doc(["$type": "month", "$length": "1", "cost": "490.00"]).utf8),
            function: "pricelist.export")
        XCTAssertEqual(BillmgrClient.period(from: node)?.cost, "490.00")
    }
}
