/// Maps a service's addons and local period to remote tariffs and periods, by the config's
/// `Price` and `Period` lines and, once imported, the remote tariff catalogue.
public struct Resolver: Sendable {
    /// ISPmanager 6 tariffs that need no `Price` line.
    public static let builtInTariffs: [String: Int] = [
        "lite": 55227, "pro": 55228, "prof": 55228, "host": 55229, "business": 55230,
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

    /// The remote tariff an addon asks for, nil when it asks for none.
    public func tariff(addon key: String, value: String) throws(InputError) -> Int? {
        let lowered = value.lowercased()
        if Self.noLicense.contains(lowered) { return nil }
        let name = Self.logicalOn.contains(lowered) ? key : value
        if let rule = config.prices.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
            return rule.tariff
        }
        if let number = Self.firstNumber(in: name), catalogue.isEmpty || catalogue.tariffs[number] != nil {
            return number
        }
        if let builtIn = Self.builtInTariffs[name.lowercased()] {
            return builtIn
        }
        throw .unresolvableAddon(key: key, value: value, catalogueImported: !catalogue.isEmpty)
    }

    /// The remote period to buy for local period `local` of remote tariff `tariff`.
    public func period(local: Int?, tariff: Int) -> Int {
        let rules = config.periods
        if let local {
            if let rule = rules.first(where: { $0.local == local && $0.tariff == tariff }) { return rule.remote }
            if let rule = rules.first(where: { $0.local == local && $0.tariff == nil }) { return rule.remote }
        }
        if let rule = rules.first(where: { $0.local == nil && $0.tariff == tariff }) { return rule.remote }
        if let local, sells(tariff: tariff, period: local) { return local }
        return catalogue.tariffs[tariff]?.shortestMonthlyPeriod ?? 1
    }

    /// The function family that orders and lists licenses of `tariff`: the catalogue's item
    /// type once imported, else the vendor's known third-party and platform tariffs.
    public func line(forTariff tariff: Int) -> ProductLine {
        if let known = catalogue.tariffs[tariff] { return ProductLine(itemType: known.itemType) }
        return ProductLine.knownTariffs[tariff] ?? .soft
    }

    private func sells(tariff: Int, period: Int) -> Bool {
        if let known = catalogue.tariffs[tariff] {
            return known.periods.contains { $0.id == period }
        }
        return period == 1 || period == 12
    }

    static func firstNumber(in text: String) -> Int? {
        let digits = text.drop(while: { !$0.isNumber }).prefix(while: { $0.isNumber })
        return digits.isEmpty ? nil : Int(digits)
    }
}

/// The remote tariff catalogue as last imported; empty until `import-tariffs` runs.
public struct Catalogue: Sendable, Equatable {
    public var tariffs: [Int: Tariff]

    public init(tariffs: [Int: Tariff] = [:]) { self.tariffs = tariffs }

    public var isEmpty: Bool { tariffs.isEmpty }

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

        /// Months bought, for ordering periods; nil for trials and lifetime.
        public var months: Int? {
            switch type {
            case "month": return length
            case "year": return length * 12
            default: return nil
            }
        }
    }

    public var id: Int
    public var name: String
    public var active: Bool
    public var itemType: String
    public var currency: String
    public var periods: [Period]

    public init(id: Int, name: String, active: Bool, itemType: String, currency: String, periods: [Period]) {
        self.id = id
        self.name = name
        self.active = active
        self.itemType = itemType
        self.currency = currency
        self.periods = periods
    }

    /// The id of the shortest paid period measured in months: one month where sold.
    public var shortestMonthlyPeriod: Int? {
        periods.filter { $0.months != nil }.min(by: { $0.months! < $1.months! })?.id
    }
}
