import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class TariffImportTests: XCTestCase {
    private func tariff(_ id: Int, _ name: String, periods: [(Int, String, Int, String)]) -> Tariff {
        Tariff(
            id: id, name: name, active: true, itemType: "soft", currency: "EUR",
            periods: periods.map { Tariff.Period(id: $0.0, type: $0.1, length: $0.2, cost: $0.3) })
    }

    func testSecondImportUpdatesChangesAndMarksVanishedTariffs() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.file("licmgr.db"))
        let server = FakeLicenseServer()
        let engine = LicenseEngine(
            config: Config(path: dir.file("c")), store: store, server: server, time: FixedTime(day: Day("2025-06-15")!),
            command: "import-tariffs", keys: SequentialKeys())
        let lite = tariff(55227, "ISPmanager 6 Lite", periods: [(1, "month", 1, "10.00"), (12, "month", 12, "100.00")])
        let old = tariff(2891, "ISPmanager 5", periods: [(1815, "month", 1, "8.00")])
        server.setCatalogue([lite, old])
        let first = try engine.importTariffs(dryRun: false)
        XCTAssertEqual(first.added, [2891, 55227])

        var cheaper = lite
        cheaper.periods[0].cost = "9.00"
        server.setCatalogue([cheaper])
        let dry = try engine.importTariffs(dryRun: true)
        XCTAssertEqual(dry.changed, [55227])
        XCTAssertEqual(try store.catalogue().tariffs[55227]?.periods[0].cost, "10.00", "a dry run stores nothing")

        let second = try engine.importTariffs(dryRun: false)
        XCTAssertEqual(second.changed, [55227])
        XCTAssertEqual(second.vanished, [2891])
        let catalogue = try store.catalogue()
        XCTAssertEqual(catalogue.tariffs[55227]?.periods[0].cost, "9.00")
        XCTAssertNil(catalogue.tariffs[2891], "a vanished tariff no longer resolves")
        XCTAssertNotNil(try store.catalogue(includeGone: true).tariffs[2891], "but is kept")
    }

    func testSuggestionsParseAsConfig() throws {
        let lines = TariffSuggestions.lines(for: [
            tariff(55227, "ISPmanager 6 Lite", periods: [(1, "month", 1, "10.00")]),
            tariff(55228, "ISPmanager 6 Lite", periods: [(1, "month", 1, "18.00")]),
            tariff(2891, "ISPmanager 5 #1", periods: [(1815, "month", 1, "8.00"), (1817, "lifetime", 0, "240.00")]),
        ])
        let config = try ConfigParser().parse(lines.joined(separator: "\n"), path: "/c")
        XCTAssertEqual(config.prices.map(\.tariff), [55227, 55228, 2891])
        XCTAssertEqual(Set(config.prices.map { $0.name.lowercased() }).count, 3, "names stay distinct")
        XCTAssertEqual(config.periods.map { [$0.local, $0.remote, $0.tariff] }, [[1, 1815, 2891]])
    }
}
