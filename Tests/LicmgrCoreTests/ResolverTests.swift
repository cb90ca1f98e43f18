import XCTest

@testable import LicmgrCore

final class ResolverTests: XCTestCase {
    private func resolver(_ configText: String = "", catalogue: Catalogue = Catalogue()) throws -> Resolver {
        Resolver(config: try ConfigParser().parse(configText, path: "/etc/licmgr.conf"), catalogue: catalogue)
    }

    private func tariff(_ id: Int, periods: [Tariff.Period]) -> Tariff {
        Tariff(id: id, name: "t\(id)", active: true, itemType: "soft", currency: "EUR", periods: periods)
    }

    /// Tariff 2891 in BILLmanager 4 numbering: 1814 trial, 1815 month, 1816 year, 1817 lifetime.
    private var bm4Catalogue: Catalogue {
        Catalogue(tariffs: [
            2891: tariff(
                2891,
                periods: [
                    .init(id: 1814, type: "trial", length: 1, cost: "0"),
                    .init(id: 1816, type: "year", length: 1, cost: "100"),
                    .init(id: 1815, type: "month", length: 1, cost: "10"),
                    .init(id: 1817, type: "lifetime", length: 1, cost: "500"),
                ])
        ])
    }

    // MARK: - Addons

    /// Business counts nodes before any import: the minimum goes with its order unless the
    /// service's `addon_55236` says how many; such a key is no license.
    func testBusinessOrdersCarryTheNodeCount() throws {
        let resolver = try resolver()
        XCTAssertNil(try resolver.tariff(addon: "addon_55236", value: "3"))
        XCTAssertEqual(
            try resolver.addonCounts(tariff: 55230, among: [55230], service: ["panel": "Business"]),
            [OrderRequest.AddonCount(id: 55236, count: 1)])
        XCTAssertEqual(
            try resolver.addonCounts(
                tariff: 55230, among: [55230], service: ["panel": "Business", "addon_55236": "3"]),
            [OrderRequest.AddonCount(id: 55236, count: 3)])
        XCTAssertEqual(try resolver.addonCounts(tariff: 55227, among: [55227], service: ["panel": "Lite"]), [])
    }

    func testNodeCountsOutOfRangeOrForNoTariffOfTheServiceAreRefused() throws {
        let catalogue = Catalogue(tariffs: [
            55230: Tariff(
                id: 55230, name: "Business", active: true, itemType: "soft", currency: "EUR", periods: [],
                addons: [Tariff.Addon(id: 55236, minimum: 1, maximum: 10)])
        ])
        let resolver = try resolver(catalogue: catalogue)
        for (key, value) in [("addon_55236", "0"), ("addon_55236", "11"), ("addon_55236", "two"), ("addon_999", "1")] {
            XCTAssertThrowsError(
                try resolver.addonCounts(tariff: 55230, among: [55230], service: ["panel": "Business", key: value])
            ) { error in
                guard case .badAddonCount(key, value, _)? = error as? InputError else { return XCTFail("\(error)") }
                XCTAssertEqual(ExitStatus.of(error), .dataError)
            }
        }
        XCTAssertEqual(
            try resolver.addonCounts(tariff: 55230, among: [55230], service: ["addon_55236": "10"]),
            [OrderRequest.AddonCount(id: 55236, count: 10)])
    }

    func testPriceLineBeatsNumberInName() throws {
        let r = try resolver("Price panel55228 777")
        XCTAssertEqual(try r.tariff(addon: "panel", value: "panel55228"), 777)
    }

    func testPriceLineBeatsBuiltIn() throws {
        let r = try resolver("Price Lite 999")
        XCTAssertEqual(try r.tariff(addon: "panel", value: "lite"), 999)
    }

    func testNumberInNameBeatsBuiltIn() throws {
        XCTAssertEqual(try resolver().tariff(addon: "panel", value: "2891-lite"), 2891)
    }

    /// A lone digit names a version, not a tariff: "ISPmanager 6 Lite" is not tariff 6, nor
    /// Lite5 tariff 5; the error says which Price line would map it.
    func testVersionDigitsAreNotTariffIDs() throws {
        let r = try resolver()
        for value in ["ISPmanager 6 Lite", "Lite5", "ispmgr5", "ISPmanager 2891 Lite"] {
            XCTAssertThrowsError(try r.tariff(addon: "panel", value: value), value) { error in
                XCTAssertEqual(ExitStatus.of(error), .dataError)
            }
        }
        XCTAssertThrowsError(try r.tariff(addon: "panel", value: "Lite5")) { error in
            XCTAssertTrue("\(error)".contains("add 'Price Lite5 <remote tariff id>'"), "\(error)")
        }
        XCTAssertThrowsError(try r.tariff(addon: "panel", value: "ISPmanager 6 Lite")) { error in
            XCTAssertTrue("\(error)".contains("without blanks"), "\(error)")
        }
        XCTAssertEqual(try r.tariff(addon: "panel", value: "ispmgr5_2891"), 2891)
        XCTAssertNil(Resolver.tariffID(in: "5_55228_2891"))
    }

    func testPriceLineToATariffTheCatalogueLacksNamesTheLine() throws {
        let r = try resolver("# prices\nPrice foo 12345\n", catalogue: bm4Catalogue)
        XCTAssertEqual(try r.tariff(addon: "foo", value: "on"), 12345, "it still says what the addon asks for")
        XCTAssertThrowsError(try r.checkSold(tariff: 12345, addon: "foo", value: "on")) { error in
            XCTAssertEqual(ExitStatus.of(error), .config)
            XCTAssertTrue("\(error)".hasPrefix("/etc/licmgr.conf:2: Price foo 12345: "), "\(error)")
        }
        XCTAssertEqual(r.catalogueProblems().map(\.line), [2])
    }

    func testBuiltInNameTheCatalogueLacksIsRefusedBeforeBuying() throws {
        let r = try resolver(catalogue: bm4Catalogue)
        XCTAssertThrowsError(try r.checkSold(tariff: 55227, addon: "panel", value: "Lite")) { error in
            XCTAssertEqual(ExitStatus.of(error), .dataError)
            XCTAssertTrue("\(error)".contains("55227"), "\(error)")
        }
        XCTAssertNoThrow(try r.checkSold(tariff: 2891, addon: "ipmgr", value: "on"))
    }

    func testNumberInName() throws {
        let r = try resolver()
        XCTAssertEqual(try r.tariff(addon: "panel", value: "panel55228"), 55228)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "55229"), 55229)
    }

    func testBuiltInNamesIgnoreCase() throws {
        let r = try resolver()
        XCTAssertEqual(try r.tariff(addon: "panel", value: "Lite"), 55227)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "PRO"), 55228)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "Prof"), 55228)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "host"), 55229)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "Business"), 55230)
    }

    func testNoLicenseValues() throws {
        let r = try resolver("Price panel 1")
        XCTAssertNil(try r.tariff(addon: "panel", value: "nopanel"))
        XCTAssertNil(try r.tariff(addon: "panel", value: "off"))
        XCTAssertNil(try r.tariff(addon: "panel", value: "OFF"))
        XCTAssertNil(try r.tariff(addon: "panel", value: ""))
    }

    func testLogicalAddonResolvesByKey() throws {
        let r = try resolver("Price ipmgr 2891")
        XCTAssertEqual(try r.tariff(addon: "ipmgr", value: "on"), 2891)
        XCTAssertEqual(try r.tariff(addon: "IPMGR", value: "ON"), 2891)
    }

    func testLogicalAddonWithoutPriceIsUnresolvable() throws {
        XCTAssertThrowsError(try resolver().tariff(addon: "ipmgr", value: "on")) { error in
            XCTAssertEqual(
                error as? InputError, .unresolvableAddon(key: "ipmgr", value: "on", catalogueImported: false))
        }
    }

    func testUnknownNameIsUnresolvable() throws {
        XCTAssertThrowsError(try resolver().tariff(addon: "panel", value: "Deluxe")) { error in
            XCTAssertEqual(
                error as? InputError, .unresolvableAddon(key: "panel", value: "Deluxe", catalogueImported: false))
            XCTAssertEqual(ExitStatus.of(error).rawValue, 65)
            XCTAssertTrue("\(error)".contains("panel=Deluxe"))
        }
    }

    func testWithCatalogueANumberItListsResolves() throws {
        let r = try resolver(catalogue: bm4Catalogue)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "panel2891"), 2891)
    }

    func testWithCatalogueAnUnlistedNumberIsUnresolvable() throws {
        let r = try resolver(catalogue: bm4Catalogue)
        XCTAssertThrowsError(try r.tariff(addon: "panel", value: "55228")) { error in
            XCTAssertEqual(
                error as? InputError, .unresolvableAddon(key: "panel", value: "55228", catalogueImported: true))
        }
    }

    func testWithCatalogueAPriceLineStillWins() throws {
        let r = try resolver("Price panel55228 2891", catalogue: bm4Catalogue)
        XCTAssertEqual(try r.tariff(addon: "panel", value: "panel55228"), 2891)
    }

    // MARK: - Periods

    func testLocalAndTariffRuleComesFirst() throws {
        let r = try resolver("Period ALL 9 2891\nPeriod 10 7\nPeriod 10 1815 2891\n")
        XCTAssertEqual(try r.period(local: 10, tariff: 2891), 1815)
    }

    func testLocalRuleForAnyTariffComesSecond() throws {
        let r = try resolver("Period ALL 9 2891\nPeriod 10 7\nPeriod 10 1815 3000\n")
        XCTAssertEqual(try r.period(local: 10, tariff: 2891), 7)
    }

    func testAllRuleComesThird() throws {
        let r = try resolver("Period ALL 9 2891\nPeriod 11 7\nPeriod 10 1815 3000\n")
        XCTAssertEqual(try r.period(local: 10, tariff: 2891), 9)
    }

    func testAllRuleAppliesOnlyToItsTariff() throws {
        let r = try resolver("Period ALL 1817 2891")
        XCTAssertEqual(try r.period(local: 12, tariff: 55227), 12)
    }

    func testAllRuleAppliesWithoutLocalPeriod() throws {
        XCTAssertEqual(try resolver("Period ALL 1817 2891").period(local: nil, tariff: 2891), 1817)
    }

    func testLocalPeriodItselfWhenSoldWithoutCatalogue() throws {
        let r = try resolver()
        XCTAssertEqual(try r.period(local: 12, tariff: 55227), 12)
        XCTAssertEqual(try r.period(local: 1, tariff: 55227), 1)
    }

    func testPeriodLineTheTariffDoesNotSellNamesTheLine() throws {
        let r = try resolver("Price ipmgr 2891\nPeriod 8 12 2891\n", catalogue: bm4Catalogue)
        XCTAssertThrowsError(try r.period(local: 8, tariff: 2891)) { error in
            XCTAssertEqual(ExitStatus.of(error), .config)
            XCTAssertTrue("\(error)".hasPrefix("/etc/licmgr.conf:2: Period 8 12 2891: tariff 2891 sells no period 12"))
        }
        XCTAssertEqual(r.catalogueProblems().map(\.line), [2])
    }

    func testEveryLineIsCheckedAgainstTheCatalogue() throws {
        let r = try resolver(
            "Price ipmgr 2891\nPeriod 10 1815 2891\nPeriod 11 1815\nPeriod 12 77\nPeriod ALL 1817 999\n",
            catalogue: bm4Catalogue)
        XCTAssertEqual(r.catalogueProblems().map(\.line), [4, 5])
        XCTAssertEqual(try resolver("Period 12 77").catalogueProblems(), [], "nothing to tell without a catalogue")
    }

    /// Before the import, only tariffs whose periods the vendor documents as month counts get
    /// a period by guess; any other needs a Period line, rather than an order sent blind.
    func testUnknownTariffWithoutPeriodLineIsRefusedBeforeTheImport() throws {
        let r = try resolver("Price ipmgr 2891")
        XCTAssertThrowsError(try r.period(local: 1, tariff: 2891)) { error in
            XCTAssertEqual(ExitStatus.of(error), .config)
            XCTAssertTrue("\(error)".contains("add 'Period 1 <remote period id> 2891'"), "\(error)")
        }
        XCTAssertEqual(try r.period(local: 1, tariff: 2891, current: 1815), 1815, "a renewal keeps what it has")
    }

    func testTariffSellingNoMonthNeedsAPeriodLine() throws {
        let lifetimeOnly = Catalogue(tariffs: [
            9: tariff(9, periods: [.init(id: 90, type: "lifetime", length: 1, cost: "5")])
        ])
        XCTAssertThrowsError(try resolver(catalogue: lifetimeOnly).period(local: 1, tariff: 9))
        XCTAssertEqual(try resolver("Period ALL 90 9", catalogue: lifetimeOnly).period(local: 1, tariff: 9), 90)
    }

    func testUnsoldLocalPeriodFallsToOneMonthWithoutCatalogue() throws {
        let r = try resolver()
        XCTAssertEqual(try r.period(local: 6, tariff: 55227), 1)
        XCTAssertEqual(try r.period(local: nil, tariff: 55227), 1)
    }

    func testLocalPeriodItselfWhenTheCatalogueSellsIt() throws {
        XCTAssertEqual(try resolver(catalogue: bm4Catalogue).period(local: 1816, tariff: 2891), 1816)
    }

    func testUnsoldLocalPeriodFallsToCataloguesMonth() throws {
        let r = try resolver(catalogue: bm4Catalogue)
        XCTAssertEqual(try r.period(local: 6, tariff: 2891), 1815)
        XCTAssertEqual(try r.period(local: 12, tariff: 2891), 1815)
        XCTAssertEqual(try r.period(local: nil, tariff: 2891), 1815)
    }

    func testBillmanager4Mapping() throws {
        let r = try resolver("Price ipmgr 2891\nPeriod 10 1815 2891\nPeriod ALL 1817 2891\n")
        let tariff = try XCTUnwrap(try r.tariff(addon: "ipmgr", value: "on"))
        XCTAssertEqual(tariff, 2891)
        XCTAssertEqual(try r.period(local: 10, tariff: tariff), 1815)
        XCTAssertEqual(try r.period(local: 11, tariff: tariff), 1817)
    }

    func testShortestMonthlyPeriodSkipsTrialAndLifetime() {
        let t = tariff(
            1,
            periods: [
                .init(id: -100, type: "trial", length: 1, cost: "0"),
                .init(id: 0, type: "lifetime", length: 1, cost: "9"),
                .init(id: 12, type: "year", length: 1, cost: "9"),
                .init(id: 3, type: "month", length: 3, cost: "9"),
            ])
        XCTAssertEqual(t.shortestMonthlyPeriod, 3)
    }
}
