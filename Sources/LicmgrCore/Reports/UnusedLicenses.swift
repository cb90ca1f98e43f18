/// Money per month in one currency, in ten-thousandths (`Money`).
public struct MonthlyCost: Sendable, Equatable {
    public var amount: Int
    public var currency: String

    public init(amount: Int, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}

/// A live remote license that serves no service and is not parked in the free pool: paid for
/// and used by nothing.
public struct UnusedLicense: Sendable, Equatable {
    public var license: License
    /// Nil until the catalogue is imported, or when it does not sell the license's period by the month.
    public var monthlyCost: MonthlyCost?

    public init(license: License, monthlyCost: MonthlyCost?) {
        self.license = license
        self.monthlyCost = monthlyCost
    }
}

/// What the unused licenses cost together.
public struct UnusedTotal: Sendable, Equatable {
    public var count = 0
    /// Ten-thousandths per month by currency; licenses of unknown price are left out and counted apart.
    public var monthly: [String: Int] = [:]
    public var unpriced = 0

    public init(_ unused: [UnusedLicense]) {
        for item in unused {
            count += 1
            if let cost = item.monthlyCost {
                monthly[cost.currency, default: 0] += cost.amount
            } else {
                unpriced += 1
            }
        }
    }

    /// The one currency, when every priced license shares it.
    public var single: MonthlyCost? {
        guard monthly.count == 1, let (currency, amount) = monthly.first else { return nil }
        return MonthlyCost(amount: amount, currency: currency)
    }
}

public enum UnusedLicenses {
    /// Unused: live on the remote, attached to no service, and not parked as `free.lic`
    /// (the free pool is kept on purpose and listed by `list --free`).
    public static func isUnused(_ license: License) -> Bool {
        license.isLive && license.serviceID == nil && !license.isParked
    }

    /// The unused licenses as last seen, by id; reads only the local database.
    public static func read(from store: any StateStore) throws -> [UnusedLicense] {
        let catalogue = try store.catalogue()
        var unused: [UnusedLicense] = []
        try store.forEachLicense { license in
            if isUnused(license) {
                unused.append(UnusedLicense(license: license, monthlyCost: monthlyCost(of: license, catalogue)))
            }
        }
        return unused.sorted { $0.license.id < $1.license.id }
    }

    /// The license's price per month, when the catalogue sells its period by the month: an
    /// estimate (a year's price over twelve months), so rounded to the cent.
    public static func monthlyCost(of license: License, _ catalogue: Catalogue) -> MonthlyCost? {
        guard let tariff = catalogue.tariffs[license.pricelist], let id = license.period,
            let period = catalogue.period(id, of: license.pricelist), let months = period.months, months > 0,
            let cost = Money.price(period.cost)
        else { return nil }
        let cent = Money.unit / 100
        return MonthlyCost(amount: (cost + months * cent / 2) / (months * cent) * cent, currency: tariff.currency)
    }
}
