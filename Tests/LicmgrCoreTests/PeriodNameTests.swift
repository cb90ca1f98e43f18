import XCTest

@testable import LicmgrCore

/// Periods in words: by the catalogue when it describes the id, else by the modern convention.
final class PeriodNameTests: XCTestCase {
    func testModernIdsAreMonthCountsAndSpecialValues() {
        let empty = Catalogue()
        XCTAssertEqual(empty.periodName(1, of: 55227), "1 month")
        XCTAssertEqual(empty.periodName(3, of: 55227), "3 months")
        XCTAssertEqual(empty.periodName(12, of: 55227), "1 year")
        XCTAssertEqual(empty.periodName(24, of: 55227), "2 years")
        XCTAssertEqual(empty.periodName(18, of: 55227), "18 months")
        XCTAssertEqual(empty.periodName(0, of: 55227), "lifetime")
        XCTAssertEqual(empty.periodName(-100, of: 55227), "trial")
        XCTAssertEqual(empty.periodName(-50, of: 55227), "1 day")
        XCTAssertEqual(empty.periodName(-7, of: 55227), "period -7")
        XCTAssertEqual(empty.periodName(nil, of: 55227), "-")
    }

    /// BILLmanager 4 numbers its periods per tariff: 1815 is a month of tariff 2891, not 151 years.
    func testCatalogueTypeAndLengthOutrankTheId() {
        let catalogue = Catalogue(tariffs: [
            2891: Tariff(
                id: 2891, name: "ISPmanager Lite", active: true, itemType: "soft", currency: "EUR",
                periods: [
                    .init(id: 1814, type: "trial", length: 1, cost: "0.00"),
                    .init(id: 1815, type: "month", length: 1, cost: "6.00"),
                    .init(id: 1816, type: "year", length: 1, cost: "60.00"),
                    .init(id: 1817, type: "lifetime", length: 0, cost: "300.00"),
                    .init(id: 1818, type: "month", length: 24, cost: "100.00"),
                    .init(id: 1819, type: "day", length: 3, cost: "1.00"),
                ])
        ])
        XCTAssertEqual(catalogue.periodName(1814, of: 2891), "trial")
        XCTAssertEqual(catalogue.periodName(1815, of: 2891), "1 month")
        XCTAssertEqual(catalogue.periodName(1816, of: 2891), "1 year")
        XCTAssertEqual(catalogue.periodName(1817, of: 2891), "lifetime")
        XCTAssertEqual(catalogue.periodName(1818, of: 2891), "2 years")
        XCTAssertEqual(catalogue.periodName(1819, of: 2891), "3 days")
        // A period the tariff does not list, or another tariff, falls back to the convention.
        XCTAssertEqual(catalogue.periodName(12, of: 2891), "1 year")
        XCTAssertEqual(catalogue.periodName(1815, of: 55227), "1815 months")
    }

    /// A service's local period shows with what it buys for each tariff its addons map to.
    func testAServicesLocalPeriodShowsWhatItBuys() throws {
        let config = try ConfigParser().parse("Price isp5 2891\nPeriod 10 1815 2891", path: "/c")
        let catalogue = Catalogue(tariffs: [
            2891: Tariff(
                id: 2891, name: "ISPmanager 5", active: true, itemType: "soft", currency: "EUR",
                periods: [.init(id: 1815, type: "month", length: 1, cost: "8.00")]),
            55227: Tariff(
                id: 55227, name: "ISPmanager 6 Lite", active: true, itemType: "soft", currency: "EUR",
                periods: [
                    .init(id: 1, type: "month", length: 1, cost: "10.00"),
                    .init(id: 12, type: "month", length: 12, cost: "100.00"),
                ]),
        ])
        let resolver = Resolver(config: config, catalogue: catalogue)
        func service(_ period: Int?, _ addons: [String: String]) -> Service {
            Service(id: 7, name: "vps7", ip: "10.0.0.7", period: period, addons: addons)
        }
        XCTAssertEqual(resolver.periodName(of: service(12, ["panel": "Lite"])), "12 (1 year)")
        XCTAssertEqual(resolver.periodName(of: service(10, ["panel": "isp5"])), "10 (1 month)")
        XCTAssertEqual(
            resolver.periodName(of: service(10, ["panel": "isp5", "extra": "Lite"])),
            "10 (1 month)", "the same words for every tariff are said once")
        XCTAssertEqual(
            resolver.periodName(of: service(12, ["panel": "isp5", "extra": "Lite"])),
            "12 (1 month for tariff 2891, 1 year for tariff 55227)")
        XCTAssertEqual(resolver.periodName(of: service(12, [:])), "12 (1 year)")
        XCTAssertEqual(resolver.periodName(of: service(10, [:])), "10", "a Period line gives 10 its meaning per tariff")
        XCTAssertEqual(resolver.periodName(of: service(nil, ["panel": "Lite"])), "-")
    }
}
