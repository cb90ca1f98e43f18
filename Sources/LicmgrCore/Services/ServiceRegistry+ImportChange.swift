/// One service an import adds, changes or closes, with the money the next `checkevent` would
/// spend because of it: what a dry run lists, so that a change that costs money is seen first.
public struct ImportChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case added, changed
        /// Closed by `--prune`: absent from the export.
        case closed
    }

    public var kind: Kind
    /// The service as recorded before; nil when the import adds it.
    public var old: Service?
    public var new: Service
    /// The change in words, as history records it: `ip 10.0.0.1 -> 10.0.0.2`; every field of a
    /// service added.
    public var summary: String
    /// What the next `checkevent` would buy for it, in the order of the service's addons.
    public var costs: [ImportCost]

    public init(kind: Kind, old: Service?, new: Service, summary: String, costs: [ImportCost]) {
        self.kind = kind
        self.old = old
        self.new = new
        self.summary = summary
        self.costs = costs
    }

    /// The keys of `service list --json` whose values differ, in that order; every one for a
    /// service added.
    public var fields: [String] {
        let checks: [(String, (Service, Service) -> Bool)] = [
            ("name", { $0.name != $1.name }), ("ip", { $0.ip != $1.ip }), ("package", { $0.package != $1.package }),
            ("period", { $0.period != $1.period }), ("addons", { $0.addons != $1.addons }),
            ("status", { $0.status != $1.status }),
        ]
        guard let old else { return checks.map(\.0) }
        return checks.filter { $0.1(old, new) }.map(\.0)
    }
}

/// A purchase the next `checkevent` would make for an imported change, priced by the imported
/// catalogue. An upper bound: a free or unattached license may serve an order for nothing.
public struct ImportCost: Sendable, Equatable {
    public enum Step: String, Sendable {
        /// A new license for an addon that has none, or whose tariff moves to another family.
        case order
        /// The attached license moved to the addon's new tariff.
        case changeTariff = "change_tariff"
        /// A license that lapsed while its service was suspended, renewed to resume it.
        case renew
    }

    public var step: Step
    public var addon: String
    public var tariff: Int
    /// The catalogue's name of the tariff, when imported.
    public var tariffName: String?
    /// The remote period bought; nil when none can be told yet.
    public var period: Int?
    /// The period in words, or `period unknown`.
    public var periodName: String
    /// The license changed or renewed; nil for an order.
    public var licenseID: Int?
    /// Ten-thousandths of `currency` (`Money`); nil when the catalogue does not know the price.
    public var amount: Int?
    public var currency: String?

    public init(
        step: Step, addon: String, tariff: Int, tariffName: String?, period: Int?, periodName: String,
        licenseID: Int?, amount: Int?, currency: String?
    ) {
        self.step = step
        self.addon = addon
        self.tariff = tariff
        self.tariffName = tariffName
        self.period = period
        self.periodName = periodName
        self.licenseID = licenseID
        self.amount = amount
        self.currency = currency
    }

    /// `order ISPmanager 6 Lite (55227), 1 month: 10.00 EUR`; `unknown price` when the
    /// catalogue cannot tell.
    public var text: String {
        let tariff = tariffName.map { "\($0) (\(self.tariff))" } ?? "tariff \(self.tariff)"
        let what =
            switch step {
            case .order: "order \(tariff)"
            case .changeTariff: "change license \(licenseID ?? 0) to \(tariff)"
            case .renew: "renew lapsed license \(licenseID ?? 0) (\(tariff))"
            }
        let price = amount.map { Money.format($0) + (currency.map { " \($0)" } ?? "") } ?? "unknown price"
        return "\(what), \(periodName): \(price)"
    }
}

extension ImportResult {
    /// Every purchase the import's changes lead to.
    public var costs: [ImportCost] { changes.flatMap(\.costs) }

    /// What they add up to, when every price is known and in one currency. Read change by
    /// change: an import of 100,000 services has as many costs, and a copy of them all weighs.
    public var total: (amount: Int, currency: String?)? {
        var amount = 0
        var currency: String??
        for change in changes {
            for cost in change.costs {
                guard let price = cost.amount, currency == nil || currency == cost.currency else { return nil }
                currency = cost.currency
                amount += price
            }
        }
        return (amount, currency ?? nil)
    }

    /// How many of `costs` have no known price.
    public var unpricedCosts: Int {
        changes.reduce(0) { count, change in count + change.costs.count { $0.amount == nil } }
    }
}

extension ServiceRegistry {
    /// The purchases the next `checkevent` would make because `old` became `new`: an order for
    /// each license-bearing addon of an active service that has no license and did not need
    /// that tariff before, a tariff change for an attached license whose addon now maps to
    /// another tariff, and the renewal of a lapsed license its service's resumption needs. By
    /// the known state: nothing is read from the remote.
    func costs(from old: Service?, to new: Service, resolver: Resolver) throws -> [ImportCost] {
        guard new.status == .active else { return [] }
        let licenses = try store.licenses(serviceID: new.id).filter(\.isLive)
        func tariff(_ key: String, of service: Service?) -> Int? {
            guard let service, service.status == .active, let value = service.addons[key] else { return nil }
            return (try? resolver.tariff(addon: key, value: value)) ?? nil
        }
        func cost(_ step: ImportCost.Step, _ key: String, tariff: Int, license: License?) -> ImportCost {
            let period = try? resolver.period(
                local: new.period, tariff: tariff, current: step == .renew ? license?.period : nil)
            let known = resolver.catalogue.tariffs[tariff]
            return ImportCost(
                step: step, addon: key, tariff: tariff, tariffName: known?.name, period: period,
                periodName: period.map { resolver.catalogue.periodName($0, of: tariff) } ?? "period unknown",
                licenseID: step == .order ? nil : license?.id,
                amount: period.flatMap { resolver.catalogue.period($0, of: tariff) }.flatMap { Money.price($0.cost) },
                currency: known?.currency)
        }
        var costs: [ImportCost] = []
        for key in new.addons.keys.sorted() {
            guard let needed = tariff(key, of: new) else { continue }
            let before = tariff(key, of: old)
            guard let license = licenses.first(where: { $0.addon == key }) else {
                if before != needed { costs.append(cost(.order, key, tariff: needed, license: nil)) }
                continue
            }
            if license.pricelist != 0 && license.pricelist != needed {
                guard before != needed else { continue }
                // No tariff change crosses function families: the license goes and one is ordered.
                let step: ImportCost.Step = resolver.line(forTariff: needed) == license.line ? .changeTariff : .order
                costs.append(cost(step, key, tariff: needed, license: license))
            } else if old?.status != .active, license.status == .suspended, let expires = license.expires,
                expires <= time.today
            {
                costs.append(cost(.renew, key, tariff: license.pricelist, license: license))
            }
        }
        return costs
    }

    /// How a change reads: every field of a service added, the differences of one changed.
    static func changeText(from old: Service?, to new: Service, _ resolver: Resolver) -> String {
        guard let old else { return summary(of: new, resolver: resolver) }
        return differences(from: old, to: new, resolver: resolver)
    }
}
