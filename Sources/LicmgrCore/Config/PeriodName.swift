extension Catalogue {
    /// Period `id` of `tariff` in words ("1 month", "1 year", "lifetime", "trial", "1 day"):
    /// by the catalogue's type and length when it describes that period (BILLmanager 4 ids
    /// such as 1815 mean nothing by themselves), else by the modern convention of month counts.
    public func periodName(_ id: Int, of tariff: Int) -> String {
        if let sold = period(id, of: tariff) { return sold.name }
        return Tariff.Period.name(modernID: id)
    }

    /// `periodName` for a period that may be unknown: "-" when there is none.
    public func periodName(_ id: Int?, of tariff: Int) -> String {
        id.map { periodName($0, of: tariff) } ?? "-"
    }
}

extension Tariff.Period {
    /// This period in words, from the catalogue's type and length.
    public var name: String {
        switch type {
        case "month": return Self.months(length)
        case "year": return Self.count(length, "year")
        case "day": return Self.count(length, "day")
        case "trial": return "trial"
        case "lifetime": return "lifetime"
        default: return "\(type) \(length)"
        }
    }

    /// A period id read by the modern convention: a positive number is months, 0 lifetime,
    /// -100 a trial, -50 a day. Any other id is shown as the raw id it is.
    public static func name(modernID id: Int) -> String {
        switch id {
        case 1...: return months(id)
        case 0: return "lifetime"
        case -100: return "trial"
        case -50: return "1 day"
        default: return "period \(id)"
        }
    }

    /// Whole years read as years: 12 months is "1 year", 18 stays "18 months".
    static func months(_ n: Int) -> String {
        n > 0 && n % 12 == 0 ? count(n / 12, "year") : count(n, "month")
    }

    static func count(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
}
