/// Maps a service's addons and local period to remote tariffs and periods, by the config's
/// `Price` and `Period` lines and, once imported, the remote tariff catalogue.
public struct Resolver: Sendable {
    /// ISPmanager 6 tariffs that need no `Price` line.
    public static let builtInTariffs: [String: Int] = [
        "lite": 55227, "pro": 55228, "prof": 55228, "host": 55229, "business": 55230,
    ]
    /// Counted parts of tariffs known before the catalogue is imported: ISPmanager 6 Business
    /// counts nodes, and the vendor's own order example sends `addon_55236=1`.
    public static let builtInAddons: [Int: [Tariff.Addon]] = [
        55230: [Tariff.Addon(id: 55236, name: "nodes", minimum: 1)]
    ]
    /// Addon values that mean the service carries no license for that addon.
    static let noLicense: Set<String> = ["", "off", "no", "false", "nopanel", "none"]
    /// Addon values that mark a logical addon: the key, not the value, names the product.
    static let logicalOn: Set<String> = ["on", "yes", "true"]

    public var config: Config
    public var catalogue: Catalogue

    public init(config: Config, catalogue: Catalogue) {
        self.config = config
        self.catalogue = catalogue
    }

    /// The remote tariff an addon asks for, nil when it asks for none; an `InputError` when
    /// nothing maps it. Whether the remote still sells that tariff is `checkSold`'s question,
    /// asked only before something is bought: a license of a tariff since withdrawn still
    /// serves its service, follows it and renews.
    public func tariff(addon key: String, value: String) throws(InputError) -> Int? {
        if Self.noLicense.contains(value.lowercased()) || Self.countedAddon(key) != nil { return nil }
        let name = Self.name(addon: key, value: value)
        if let rule = priceRule(for: name) { return rule.tariff }
        if let number = Self.tariffID(in: name), catalogue.isEmpty || catalogue.tariffs[number] != nil {
            return number
        }
        if let builtIn = Self.builtInTariffs[name.lowercased()] { return builtIn }
        throw .unresolvableAddon(key: key, value: value, catalogueImported: !catalogue.isEmpty)
    }

    /// Refuses, before an order or a tariff change, a tariff the imported catalogue does not
    /// sell: naming the `Price` line that chose it (`ConfigError`), else the addon (`InputError`).
    public func checkSold(tariff: Int, addon key: String, value: String) throws {
        guard let why = whyNotSold(tariff: tariff) else { return }
        if let rule = priceRule(for: Self.name(addon: key, value: value)), rule.tariff == tariff {
            throw ConfigError.notSold(
                file: config.path, line: rule.line, directive: "Price \(rule.name) \(rule.tariff)", reason: why)
        }
        throw InputError.tariffNotSold(key: key, value: value, reason: why)
    }

    /// The id in a service addon `addon_<id>`, which is no license but the count of a tariff's
    /// part its order carries (`addon_55236=3`: three nodes of ISPmanager 6 Business).
    static func countedAddon(_ key: String) -> Int? {
        let digits = key.lowercased().hasPrefix("addon_") ? key.dropFirst(6) : ""
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The counted parts `tariff` takes: as the catalogue lists them, else as licmgr knows them.
    public func addons(ofTariff tariff: Int) -> [Tariff.Addon] {
        if let listed = catalogue.tariffs[tariff]?.addons, !listed.isEmpty { return listed }
        return Self.builtInAddons[tariff] ?? []
    }

    /// What an order of `tariff` sends of each part the tariff counts: the service's own
    /// `addon_<id>` count, else the least the tariff takes, so that the order is neither refused
    /// nor priced for parts nobody asked for. A count out of the tariff's range, or one for a
    /// part none of the service's tariffs (`among`) takes, is refused before anything is sent.
    public func addonCounts(tariff: Int, among tariffs: [Int], service given: [String: String]) throws(InputError)
        -> [OrderRequest.AddonCount]
    {
        let taken = Set(tariffs.flatMap { addons(ofTariff: $0).map(\.id) })
        for (key, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let id = Self.countedAddon(key), !taken.contains(id) else { continue }
            throw .badAddonCount(
                key: key, value: value,
                reason: catalogue.isEmpty
                    ? "no tariff of the service is known to take it (run 'licmgr import-tariffs' to read the catalogue)"
                    : "the catalogue lists it under none of the service's tariffs (\(tariffs.map(String.init).joined(separator: ", ")))"
            )
        }
        var counts: [OrderRequest.AddonCount] = []
        for addon in addons(ofTariff: tariff) {
            let key = "addon_\(addon.id)"
            guard let text = given.first(where: { $0.key.lowercased() == key })?.value else {
                counts.append(OrderRequest.AddonCount(id: addon.id, count: addon.minimum))
                continue
            }
            guard let count = Int(text), count >= addon.minimum, count <= addon.maximum ?? Int.max else {
                let range = addon.maximum.map { "\(addon.minimum) to \($0)" } ?? "at least \(addon.minimum)"
                throw .badAddonCount(key: key, value: text, reason: "tariff \(tariff) takes \(range)")
            }
            counts.append(OrderRequest.AddonCount(id: addon.id, count: count))
        }
        return counts
    }

    /// The name an addon resolves by: a logical addon's key, an enumeration's value.
    static func name(addon key: String, value: String) -> String {
        logicalOn.contains(value.lowercased()) ? key : value
    }

    private func priceRule(for name: String) -> Config.PriceRule? {
        config.prices.first { $0.name.equalsIgnoringCase(name) }
    }

    /// Why the imported catalogue does not sell `tariff`, or nil when it does or none is imported.
    public func whyNotSold(tariff: Int) -> String? {
        guard !catalogue.isEmpty else { return nil }
        guard let known = catalogue.tariffs[tariff] else {
            return "the imported catalogue has no tariff \(tariff) (run 'licmgr import-tariffs' if it is new)"
        }
        guard known.active else { return "tariff \(tariff) (\(known.name)) is no longer sold" }
        return whyUnorderable(tariff: tariff)
    }

    /// The remote period to buy for local period `local` of remote tariff `tariff`, by the
    /// spec's order: a `Period` line, the local period itself when the tariff sells it, the
    /// shortest monthly period it sells. A renewal passes the license's `current` period, the
    /// one guess left when neither the catalogue nor the vendor's conventions know the tariff.
    /// A period the catalogue says the tariff does not sell, or none licmgr can tell, throws
    /// `ConfigError`: nothing is sent blind.
    public func period(local: Int?, tariff: Int, current: Int? = nil) throws(ConfigError) -> Int {
        if let rule = periodRule(local: local, tariff: tariff) {
            if let known = catalogue.tariffs[tariff], !known.periods.contains(where: { $0.id == rule.remote }) {
                throw .notSold(
                    file: config.path, line: rule.line, directive: rule.text,
                    reason: "tariff \(tariff) sells no period \(rule.remote); it sells \(known.periodList)")
            }
            return rule.remote
        }
        if let known = catalogue.tariffs[tariff] {
            if let local, known.periods.contains(where: { $0.id == local }) { return local }
            if let month = known.shortestMonthlyPeriod { return month }
            throw .noPeriod(
                file: config.path, tariff: tariff, local: local,
                reason: "tariff \(tariff) sells no monthly or yearly period (it sells \(known.periodList))")
        }
        if Self.monthCountTariffs.contains(tariff) {
            if let local, local == 1 || local == 12 { return local }
            return 1
        }
        if let current { return current }
        throw .noPeriod(
            file: config.path, tariff: tariff, local: local,
            reason: catalogue.isEmpty
                ? "the catalogue is not imported, so licmgr cannot tell which periods it sells"
                : "the imported catalogue does not list tariff \(tariff)")
    }

    /// Every `Price` and `Period` line that names a tariff or period the catalogue does not
    /// sell, in line order; none when no catalogue is imported, since nothing can be told.
    public func catalogueProblems() -> [ConfigError] {
        guard !catalogue.isEmpty else { return [] }
        var problems: [ConfigError] = []
        for rule in config.prices {
            if let why = whyNotSold(tariff: rule.tariff) {
                problems.append(
                    .notSold(
                        file: config.path, line: rule.line, directive: "Price \(rule.name) \(rule.tariff)", reason: why)
                )
            }
        }
        for rule in config.periods {
            if let tariff = rule.tariff {
                guard let known = catalogue.tariffs[tariff] else {
                    problems.append(
                        .notSold(
                            file: config.path, line: rule.line, directive: rule.text,
                            reason: whyNotSold(tariff: tariff) ?? "tariff \(tariff) is not sold"))
                    continue
                }
                if !known.periods.contains(where: { $0.id == rule.remote }) {
                    problems.append(
                        .notSold(
                            file: config.path, line: rule.line, directive: rule.text,
                            reason: "tariff \(tariff) sells no period \(rule.remote); it sells \(known.periodList)"))
                }
            } else if !catalogue.tariffs.values.contains(where: { $0.periods.contains { $0.id == rule.remote } }) {
                problems.append(
                    .notSold(
                        file: config.path, line: rule.line, directive: rule.text,
                        reason: "no tariff of the imported catalogue sells a period \(rule.remote)"))
            }
        }
        return problems.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
    }

    /// The `Period` line that applies, by the spec's order.
    func periodRule(local: Int?, tariff: Int) -> Config.PeriodRule? {
        let rules = config.periods
        if let local {
            if let rule = rules.first(where: { $0.local == local && $0.tariff == tariff }) { return rule }
            if let rule = rules.first(where: { $0.local == local && $0.tariff == nil }) { return rule }
        }
        return rules.first(where: { $0.local == nil && $0.tariff == tariff })
    }

    /// The product a tariff is an edition of, for telling when a license on an IP can be
    /// moved to another tariff instead of a second license being bought there (the vendor
    /// allows one license per IP per product). The vendor's ISPmanager 6 and BILLmanager 6
    /// tariffs are known; others by the catalogue's name up to its version number
    /// ("ISPmanager 4 Pro" is "ISPmanager 4"). Nil when neither tells.
    public func product(ofTariff tariff: Int) -> String? {
        if let known = Self.knownProducts[tariff] { return known }
        guard let name = catalogue.tariffs[tariff]?.name else { return nil }
        var words: [Substring] = []
        for word in name.split(separator: " ") {
            words.append(word)
            if word.contains(where: \.isNumber) { break }
        }
        return words.joined(separator: " ").lowercased()
    }

    static let knownProducts: [Int: String] = [
        55227: "ispmanager 6", 55228: "ispmanager 6", 55229: "ispmanager 6", 55230: "ispmanager 6",
        55239: "ispmanager 6", 55382: "billmanager 6", 55384: "billmanager 6",
    ]

    /// The function family that orders and lists licenses of `tariff`: the catalogue's item
    /// type once imported, else the vendor's known third-party and platform tariffs. Nil when
    /// the catalogue gives the tariff an item type of no family licmgr knows.
    public func line(forTariff tariff: Int) -> ProductLine? {
        if let known = catalogue.tariffs[tariff] { return ProductLine(itemType: known.itemType) }
        return ProductLine.knownTariffs[tariff] ?? .soft
    }

    /// `line(forTariff:)` for a tariff an addon asks for, refusing one of no known family.
    public func line(forTariff tariff: Int, addon key: String, value: String) throws(InputError) -> ProductLine {
        if let line = line(forTariff: tariff) { return line }
        throw .tariffNotSold(key: key, value: value, reason: whyUnorderable(tariff: tariff) ?? "")
    }

    /// Why licmgr cannot order `tariff` through any function family, or nil when it can.
    func whyUnorderable(tariff: Int) -> String? {
        guard let known = catalogue.tariffs[tariff], ProductLine(itemType: known.itemType) == nil else { return nil }
        let type =
            known.itemType.isEmpty
            ? "the catalogue gives it no item type"
            : "its item type is '\(known.itemType)'"
        let again =
            known.itemType.allSatisfy(\.isNumber) ? " (run 'licmgr import-tariffs' again to read the type's name)" : ""
        return "tariff \(tariff) (\(known.name)) is no license licmgr can order: \(type), "
            + "not soft, softexternal or platform\(again)"
    }

    /// The tariff id a name holds: the whole value, or in a value without blanks the only
    /// run of three or more digits (`panel55228`, `ispmgr_2891`). A lone digit is a version,
    /// not an id: the 5 of `Lite5`, the 6 of `ISPmanager 6 Lite`.
    static func tariffID(in text: String) -> Int? {
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) { return Int(text) }
        guard !text.contains(where: \.isWhitespace) else { return nil }
        let runs = text.split(whereSeparator: { !($0.isASCII && $0.isNumber) }).filter { $0.count >= 3 }
        return runs.count == 1 ? Int(String(runs[0])) : nil
    }

    /// Tariffs whose period ids the vendor documents as month counts (1, 12), so that a period
    /// can be chosen for them before the catalogue is imported.
    static let monthCountTariffs: Set<Int> = Set(builtInTariffs.values).union(ProductLine.knownTariffs.keys)
        .union([55382])
}

/// The remote tariff catalogue as last imported; empty until `import-tariffs` runs.
public struct Catalogue: Sendable, Equatable {
    public var tariffs: [Int: Tariff]

    public init(tariffs: [Int: Tariff] = [:]) { self.tariffs = tariffs }

    public var isEmpty: Bool { tariffs.isEmpty }

    /// The currency every price is in, when there is one: what totals are counted in.
    public var currency: String? {
        let currencies = Set(tariffs.values.map(\.currency).filter { !$0.isEmpty })
        return currencies.count == 1 ? currencies.first : nil
    }

    /// Period `id` as tariff `tariff` sells it, when the catalogue knows both.
    public func period(_ id: Int, of tariff: Int) -> Tariff.Period? {
        tariffs[tariff]?.periods.first { $0.id == id }
    }
}

public struct Tariff: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        /// The period id the remote takes in `period=`.
        public var id: Int
        /// `month`, `year`, `day`, `trial` or `lifetime`, as the catalogue says.
        public var type: String
        public var length: Int
        public var cost: String

        public init(id: Int, type: String, length: Int, cost: String) {
            self.id = id
            self.type = type
            self.length = length
            self.cost = cost
        }

        /// The cost as licmgr writes money (`490.0000` as `490.00`), or as the remote wrote it
        /// when it is no amount.
        public var writtenCost: String {
            Money.price(cost).map(Money.format) ?? cost
        }

        /// Months bought, for ordering periods; nil for trials and lifetime.
        public var months: Int? {
            switch type {
            case "month": return length
            case "year": return length * 12
            default: return nil
            }
        }
    }

    /// A counted part an order of the tariff must carry as `addon_<id>=<count>`, at least
    /// `minimum`: the nodes of ISPmanager 6 Business (`addon_55236`).
    public struct Addon: Sendable, Equatable {
        public var id: Int
        public var name: String
        public var minimum: Int
        /// The most the catalogue allows, when it says.
        public var maximum: Int?

        public init(id: Int, name: String = "", minimum: Int, maximum: Int? = nil) {
            self.id = id
            self.name = name
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    public var id: Int
    public var name: String
    public var active: Bool
    public var itemType: String
    public var currency: String
    public var periods: [Period]
    public var addons: [Addon]

    public init(
        id: Int, name: String, active: Bool, itemType: String, currency: String, periods: [Period],
        addons: [Addon] = []
    ) {
        self.id = id
        self.name = name
        self.active = active
        self.itemType = itemType
        self.currency = currency
        self.periods = periods
        self.addons = addons
    }

    /// The periods it sells, for messages: `1815 (1 month), 1817 (lifetime)`.
    public var periodList: String {
        periods.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
    }

    /// The id of the shortest paid period measured in months: one month where sold.
    public var shortestMonthlyPeriod: Int? {
        periods.filter { $0.months != nil }.min(by: { $0.months! < $1.months! })?.id
    }
}
