import LicmgrCore
import XCTest

final class UnusedLicensesTests: XCTestCase {
    private let catalogue = Catalogue(tariffs: [
        1: Tariff(
            id: 1, name: "Lite", active: true, itemType: "soft", currency: "EUR",
            periods: [
                .init(id: 1, type: "month", length: 1, cost: "10.00"),
                .init(id: 12, type: "year", length: 1, cost: "100.00"),
                .init(id: 0, type: "lifetime", length: 0, cost: "500.00"),
            ]),
        2: Tariff(
            id: 2, name: "Other", active: true, itemType: "soft", currency: "USD",
            periods: [.init(id: 3, type: "month", length: 3, cost: "10.00")]),
    ])

    private func license(_ tariff: Int, period: Int?, id: Int = 1) -> License {
        License(id: id, name: "x", ip: "10.0.0.1", pricelist: tariff, period: period, status: .active)
    }

    func testMonthlyCostIsThePeriodsCostPerMonthToTheCent() {
        XCTAssertEqual(UnusedLicenses.monthlyCost(of: license(1, period: 1), catalogue)?.amount, 100_000)
        // 100.00 a year is 8.333… a month: rounded to the cent.
        XCTAssertEqual(UnusedLicenses.monthlyCost(of: license(1, period: 12), catalogue)?.amount, 83_300)
        XCTAssertEqual(
            UnusedLicenses.monthlyCost(of: license(2, period: 3), catalogue),
            MonthlyCost(amount: 33_300, currency: "USD"))
        XCTAssertNil(UnusedLicenses.monthlyCost(of: license(1, period: 0), catalogue), "lifetime has no monthly cost")
        XCTAssertNil(UnusedLicenses.monthlyCost(of: license(1, period: nil), catalogue))
        XCTAssertNil(UnusedLicenses.monthlyCost(of: license(9, period: 1), catalogue))
    }

    func testUnusedMeansLiveFreeAndNotParked() {
        XCTAssertTrue(UnusedLicenses.isUnused(license(1, period: 1)))
        var attached = license(1, period: 1)
        attached.serviceID = 7
        XCTAssertFalse(UnusedLicenses.isUnused(attached))
        var parked = license(1, period: 1)
        (parked.name, parked.ip, parked.status) = (License.parkedName, License.parkedIP, .suspended)
        XCTAssertFalse(UnusedLicenses.isUnused(parked))
        var deleted = license(1, period: 1)
        deleted.status = .deleted
        XCTAssertFalse(UnusedLicenses.isUnused(deleted))
        var gone = license(1, period: 1)
        gone.gone = true
        XCTAssertFalse(UnusedLicenses.isUnused(gone))
    }

    func testTotalAddsByCurrencyAndCountsWhatHasNoPrice() {
        let items = [
            UnusedLicense(
                license: license(1, period: 1, id: 1), monthlyCost: MonthlyCost(amount: 100_000, currency: "EUR")),
            UnusedLicense(
                license: license(1, period: 12, id: 2), monthlyCost: MonthlyCost(amount: 83_300, currency: "EUR")),
            UnusedLicense(license: license(1, period: 0, id: 3), monthlyCost: nil),
        ]
        let total = UnusedTotal(items)
        XCTAssertEqual(total.count, 3)
        XCTAssertEqual(total.unpriced, 1)
        XCTAssertEqual(total.single, MonthlyCost(amount: 183_300, currency: "EUR"))
        let mixed = UnusedTotal(
            items + [
                UnusedLicense(
                    license: license(2, period: 3, id: 4), monthlyCost: MonthlyCost(amount: 33_300, currency: "USD"))
            ])
        XCTAssertEqual(mixed.monthly, ["EUR": 183_300, "USD": 33_300])
        XCTAssertNil(mixed.single, "no one total across currencies")
    }
}
