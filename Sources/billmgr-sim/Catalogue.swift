/// One way a tariff can be bought. `id` is what clients send as `period`: a month count on
/// modern billings, an arbitrary per-tariff number on BILLmanager 4 style ones.
struct Period: Sendable {
    enum Unit: String, Sendable {
        case month, trial, lifetime
    }

    let id: String
    let unit: Unit
    let length: Int
    /// Ten-thousandths, as `Money` counts.
    let cost: Int

    init(_ id: String, _ unit: Unit, _ length: Int, cents: Int) {
        (self.id, self.unit, self.length, self.cost) = (id, unit, length, cents * Money.perCent)
    }

    func expiry(from start: Day) -> Day {
        switch unit {
        case .month: start.addingMonths(length)
        case .trial: start.addingDays(length)
        case .lifetime: .lifetime
        }
    }

    /// The catalogue's `period` element, its cost written by `money`.
    func elem(cost: String) -> Elem {
        Elem(attributes: [("type", unit.rawValue), ("length", String(length)), ("cost", cost)], text: id)
    }
}

/// A counted part of a tariff an order must carry as `addon_<id>=<count>`: the nodes of
/// ISPmanager 6 Business, which the vendor's own order example sends as `addon_55236=1`.
struct TariffAddon: Sendable {
    let id: String
    let name: String
    let minimum: Int
    let maximum: Int

    var elem: Elem {
        .init(children: [
            ("id", .text(id)), ("name", .text(name)), ("addonmin", .text(String(minimum))),
            ("addonmax", .text(String(maximum))),
        ])
    }
}

struct Tariff: Sendable {
    let id: String
    let name: String
    var active = true
    var itemtype = "soft"
    let periods: [Period]
    var addons: [TariffAddon] = []

    func period(_ id: String?) -> Period? {
        periods.first { $0.id == id }
    }

    /// The tariff as `pricelist.export` shows it; `cost` writes the cost of each period. Under
    /// `itemtype-ids` the item type is an id, its name under `itemtype_info`, as public readers
    /// of the export show it; under `addons` its counted parts follow.
    func elem(_ dialect: Dialect, cost: (Period) -> String) -> Elem {
        let type: [(String, Elem)] =
            dialect.contains(.itemtypeIDs)
            ? [
                ("itemtype", .text(Catalogue.itemtypeID(itemtype))),
                (
                    "itemtype_info",
                    Elem.fields([("id", Catalogue.itemtypeID(itemtype)), ("intname", itemtype), ("name", itemtype)])
                ),
            ]
            : [("itemtype", .text(itemtype))]
        return .init(
            children: [("id", .text(id)), ("name", .text(name)), ("active", .text(active ? "on" : "off"))] + type + [
                (
                    "price",
                    Elem(
                        attributes: [("currency", "EUR")], children: periods.map { ("period", $0.elem(cost: cost($0))) }
                    )
                )
            ] + (dialect.contains(.addons) ? addons.map { ("addon", $0.elem) } : []))
    }
}

/// The reseller's price list. Ids and period ids match the vendor's EU billing so configs
/// written against the real server work here; prices are invented.
enum Catalogue {
    static let tariffs: [Tariff] = [
        ispmanager6("55227", "ISPmanager 6 Lite", month: 1000, year: 10_000),
        ispmanager6("55228", "ISPmanager 6 Pro", month: 1800, year: 18_000),
        ispmanager6("55229", "ISPmanager 6 Host", month: 3000, year: 30_000),
        ispmanager6(
            "55230", "ISPmanager 6 Business", month: 6000, year: 60_000,
            addons: [TariffAddon(id: "55236", name: "Nodes", minimum: 1, maximum: 100)]),
        Tariff(id: "55239", name: "ISPmanager 6 trial", periods: [trial("-100")]),
        Tariff(id: "55382", name: "BILLmanager 6 Hosting&Cloud", periods: [Period("1", .month, 1, cents: 5000)]),
        Tariff(
            // The same name as the monthly tariff: a name alone does not tell a tariff.
            id: "55384", name: "BILLmanager 6 Hosting&Cloud", periods: [Period("12", .month, 12, cents: 50_000)]),
        Tariff(
            id: "2891", name: "ISPmanager 5",
            periods: [
                trial("1814"), Period("1815", .month, 1, cents: 800), Period("1816", .month, 12, cents: 8000),
                Period("1817", .lifetime, 0, cents: 24_000),
            ]),
        Tariff(
            id: "7", name: "ISPmanager 4 Lite",
            periods: [
                trial("7"), Period("8", .month, 1, cents: 500), Period("9", .lifetime, 0, cents: 12_000),
            ]),
        Tariff(
            id: "11", name: "ISPmanager 4 Pro",
            periods: [
                trial("15"), Period("16", .month, 1, cents: 900), Period("17", .lifetime, 0, cents: 20_000),
            ]),
        Tariff(
            id: "9203", name: "CloudLinux", itemtype: "softexternal",
            periods: [
                Period("1", .month, 1, cents: 1200), Period("12", .month, 12, cents: 12_000),
            ]),
        Tariff(
            id: "55163", name: "VMmanager 6", itemtype: "platform",
            periods: [Period("1", .month, 1, cents: 4000), Period("12", .month, 12, cents: 40_000)]),
        Tariff(id: "5000", name: "Old panel", active: false, periods: [Period("1", .month, 1, cents: 500)]),
        // Something the reseller's billing sells that is no license family licmgr knows.
        Tariff(id: "2187", name: "VPS Start", itemtype: "vds", periods: [Period("1", .month, 1, cents: 700)]),
    ]

    /// Item type ids as a billing numbers them; only their being numbers matters.
    static func itemtypeID(_ name: String) -> String {
        switch name {
        case "soft": "40"
        case "softexternal": "74"
        case "platform": "175"
        default: "3"
        }
    }

    private static func trial(_ id: String) -> Period {
        Period(id, .trial, 14, cents: 0)
    }

    private static func ispmanager6(
        _ id: String, _ name: String, month: Int, year: Int, addons: [TariffAddon] = []
    ) -> Tariff {
        Tariff(
            id: id, name: name,
            periods: [
                Period("1", .month, 1, cents: month), Period("12", .month, 12, cents: year), trial("-100"),
            ], addons: addons)
    }

    /// The function prefix that orders and lists licenses of a tariff.
    static func family(ofTariff id: String) -> String {
        tariff(id)?.itemtype ?? "soft"
    }

    static func tariff(_ id: String?) -> Tariff? {
        tariffs.first { $0.id == id }
    }

    /// The product a tariff is an edition of: the vendor sells one license of a product per
    /// IP, whatever the edition (its FAQ). Its name up to the version number.
    static func product(ofTariff id: String) -> String {
        guard let name = tariff(id)?.name else { return id }
        var words: [Substring] = []
        for word in name.split(separator: " ") {
            words.append(word)
            if word.contains(where: \.isNumber) { break }
        }
        return words.joined(separator: " ")
    }

    /// `cost` writes what a period of a tariff costs, as the account prices it and the dialect writes it.
    static func export(
        onlyAvailable: Bool, itemtype: String?, dialect: Dialect, cost: (Tariff, Period) -> String
    ) -> [(String, Elem)] {
        tariffs
            .filter { tariff in
                (!onlyAvailable || tariff.active)
                    && ((itemtype ?? "").isEmpty || tariff.itemtype == itemtype
                        || itemtypeID(tariff.itemtype) == itemtype)
            }
            .map { tariff in ("pricelist", tariff.elem(dialect) { cost(tariff, $0) }) }
    }

    /// The select a license's edit form shows its tariff in: every tariff of its family that is
    /// sold, and its own, by id and name.
    static func tariffOptions(of current: String) -> Elem {
        let line = family(ofTariff: current)
        let options = tariffs.filter { family(ofTariff: $0.id) == line && ($0.active || $0.id == current) }
        return Elem(
            attributes: [("name", "pricelist")],
            children: options.map { ("val", Elem(attributes: [("key", $0.id)], text: $0.name)) })
    }
}

/// Amounts are integer ten-thousandths so balances never drift and four-decimal prices are
/// exact; text is "123.45", or "123.4500" in the `money4` dialect.
enum Money {
    static let unit = 10_000
    static let perCent = unit / 100

    /// Reads an amount of up to four decimals: "100", "12.5", "12.3450".
    static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isWholeNumber } }),
            let whole = Int(parts[0])
        else { return nil }
        guard parts.count == 2 else { return whole * unit }
        guard (1...4).contains(parts[1].count) else { return nil }
        return whole * unit + Int(parts[1] + String(repeating: "0", count: 4 - parts[1].count))!
    }

    /// "123.45": two decimals, or as many of four as the amount needs ("12.345").
    static func format(_ amount: Int) -> String {
        var text = format4(amount)
        for _ in 0..<2 where text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// "123.4500": the four decimals BILLmanager writes money with.
    static func format4(_ amount: Int) -> String {
        let sign = amount < 0 ? "-" : ""
        let rest = String(amount.magnitude % UInt(unit))
        return "\(sign)\(amount.magnitude / UInt(unit))." + String(repeating: "0", count: 4 - rest.count) + rest
    }

    /// Whether the amount has digits past the cent, which two decimals cannot write.
    static func isPastTheCent(_ amount: Int) -> Bool {
        amount % perCent != 0
    }
}
