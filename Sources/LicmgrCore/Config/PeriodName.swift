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

extension Resolver {
    /// A service's local period id with the remote period it buys, in words: "12 (1 year)",
    /// or per tariff when its addons' tariffs buy different ones. Without a tariff to resolve
    /// for, the id reads as a month count unless a `Period` line names it.
    public func periodName(of service: Service) -> String {
        guard let local = service.period else { return "-" }
        let tariffs = Set(
            service.addons.compactMap { key, value in (try? tariff(addon: key, value: value)).flatMap { $0 } }
        ).sorted()
        let bought = tariffs.map { tariff in
            (
                tariff: tariff,
                name: (try? period(local: local, tariff: tariff)).map { catalogue.periodName($0, of: tariff) }
                    ?? "unresolved"
            )
        }
        if bought.isEmpty {
            if config.periods.contains(where: { $0.local == local }) { return String(local) }
            return "\(local) (\(Tariff.Period.name(modernID: local)))"
        }
        if Set(bought.map(\.name)).count == 1 { return "\(local) (\(bought[0].name))" }
        return "\(local) (" + bought.map { "\($0.name) for tariff \($0.tariff)" }.joined(separator: ", ") + ")"
    }
}
