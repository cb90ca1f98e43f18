/// Health and money at a glance, from the local database alone: what `status` shows, and
/// what `status --check` fails on.
public struct StatusReport: Sendable {
    /// Licenses that renew within a span, and what that costs.
    public struct Due: Sendable, Equatable {
        public var count = 0
        /// Ten-thousandths of the catalogue's currency (`Money`); nil when a price is not known.
        public var cost: Int? = 0
    }

    /// A parked license and when the vendor's rule lets it be reused.
    public struct PoolEntry: Sendable, Equatable {
        public var license: License
        public var reusability: FreePool.Reusability
    }

    /// A license licmgr renews that the remote shows expiring within `dueHorizon` days.
    public struct Expiring: Sendable, Equatable {
        public var license: Int
        public var service: Int
        /// As the remote last showed it.
        public var expires: Day
    }

    /// How many days ahead renewals are counted for the balance warning.
    public static let balanceHorizon = 7
    public static let dueHorizon = 30

    public var lastRuns: [String: RunRecord]
    public var lastSuccessfulCheckevent: RunRecord?
    /// Steps journaled whose outcome is not known yet.
    public var inDoubt = 0
    public var oldestInDoubt: String?
    public var due30Days = Due()
    public var due7Days = Due()
    /// The renewable licenses of active services that the remote shows expiring within
    /// `dueHorizon` days, soonest first, whatever licmgr's own record says it paid: a date that
    /// does not move after a renewal is what a person must see.
    public var expiring: [Expiring] = []
    /// Ten-thousandths spent (or possibly spent: steps in doubt) in the last 30 days; nil before the
    /// catalogue is imported, when no step was priced.
    public var spent30Days: Int?
    /// Licenses paid for and used by nothing, as `list --unused` shows them.
    public var unused: [UnusedLicense] = []
    public var unusedTotal: UnusedTotal { UnusedTotal(unused) }
    public var freePool: [PoolEntry] = []
    /// Live licenses (deleted and gone ones left out) by status name.
    public var liveByStatus: [String: Int] = [:]
    public var balance: BalanceReading?
    /// The catalogue's currency; nil before `import-tariffs`, and then every cost is unknown.
    public var currency: String?
    /// Renewals and orders the remote refused for lack of funds that are still unpaid.
    public var fundsHeld = 0
    /// Steps `SpendLimit` held in the last run that spends (`checkevent` or `renew`).
    public var spendLimitHeld = 0
    /// What needs a person: `status --check` fails on any.
    public var problems: [String] = []
    /// The problems, and what else is worth knowing: a balance that will not last the week.
    public var warnings: [String] = []

    /// Reads what `status` shows. `maxAge`: minutes within which a `checkevent` must have succeeded.
    public init(store: any StateStore, config: Config, time: any TimeSource, maxAge: Int = 15) throws {
        let today = time.today
        let catalogue = try store.catalogue()
        let resolver = Resolver(config: config, catalogue: catalogue)
        currency = catalogue.currency
        lastRuns = try store.lastRuns()
        lastSuccessfulCheckevent = try store.lastSuccessfulRun(of: "checkevent")
        spent30Days = try store.spent(since: time.timestamp(secondsAgo: Self.dueHorizon * 86_400))
        balance = try store.balance()

        let pending = try store.operations(state: .pending)
        inDoubt = pending.count
        oldestInDoubt = pending.map(\.createdAt).min()

        var services: [Int: Service] = [:]
        try store.forEachService(includeClosed: false) { services[$0.id] = $0 }
        let latest = today.adding(days: config.renewBefore)
        // Only what expires within the horizon can come due in it: licmgr's own record only ever
        // puts a renewal later, so the rest of a large account is not looked up.
        let horizon = latest.adding(days: Self.dueHorizon)
        var renewals: [(license: License, service: Service)] = []
        try store.forEachLicense { license in
            guard license.isLive else { return }
            liveByStatus[license.status.name, default: 0] += 1
            if license.isParked {
                freePool.append(PoolEntry(license: license, reusability: FreePool.reusability(license, today: today)))
            } else if let id = license.serviceID {
                if let service = services[id], let expires = license.expires, expires <= horizon {
                    renewals.append((license, service))
                }
            } else if UnusedLicenses.isUnused(license) {
                unused.append(
                    UnusedLicense(license: license, monthlyCost: UnusedLicenses.monthlyCost(of: license, catalogue)))
            }
        }
        for (license, service) in renewals {
            guard let end = try renewsBy(license, service: service, resolver: resolver, store: store) else { continue }
            if let expires = license.expires, expires <= today.adding(days: Self.dueHorizon) {
                expiring.append(Expiring(license: license.id, service: service.id, expires: expires))
            }
            // A period the config cannot resolve is refused when the renewal comes: its cost is not known.
            let period = try? resolver.period(local: service.period, tariff: license.pricelist, current: license.period)
            let cost = period.flatMap { catalogue.period($0, of: license.pricelist) }.flatMap { Money.price($0.cost) }
            for (horizon, keyPath) in [(Self.dueHorizon, \StatusReport.due30Days), (Self.balanceHorizon, \.due7Days)]
            where end <= latest.adding(days: horizon) {
                self[keyPath: keyPath].count += 1
                self[keyPath: keyPath].cost = self[keyPath: keyPath].cost.flatMap { total in cost.map { total + $0 } }
            }
        }
        expiring.sort { ($0.expires, $0.license) < ($1.expires, $1.license) }
        if currency == nil {
            // Without the catalogue no step was priced: nothing is known to have been spent either.
            due30Days.cost = nil
            due7Days.cost = nil
            spent30Days = nil
        }

        try findProblems(store: store, pending: pending, config: config, time: time, maxAge: maxAge)
        warnings = problems
        if let balance, let needed = due7Days.cost, needed > 0,
            balance.balance.currency == nil || balance.balance.currency == currency,
            balance.balance.amount < needed, let currency
        {
            warnings.append(
                "the balance, \(Money.format(balance.balance.amount)) \(currency) as read at \(balance.at), will not "
                    + "cover the renewals of the next \(Self.balanceHorizon) days: \(Money.format(needed)) \(currency)")
        }
    }

    /// The day the renewal pass would renew the license by, counting `RenewBefore` out: its
    /// expiry, or licmgr's own record of the term it paid when that runs longer. Nil for a
    /// license that is never renewed (trial, lifetime, service not active).
    private func renewsBy(_ license: License, service: Service, resolver: Resolver, store: any StateStore) throws
        -> Day?
    {
        guard LicenseEngine.notRenewable(license, service: service, catalogue: resolver.catalogue) == nil,
            let expires = license.expires
        else { return nil }
        guard let until = try store.renewedUntil(license: license.id) else { return expires }
        return max(expires, until)
    }

    private mutating func findProblems(
        store: any StateStore, pending: [RemoteOperation], config: Config, time: any TimeSource, maxAge: Int
    ) throws {
        if let success = lastSuccessfulCheckevent {
            if success.endedAt < time.timestamp(secondsAgo: maxAge * 60) {
                problems.append(
                    "no checkevent has succeeded in the last \(maxAge) minutes (the last at \(success.endedAt))")
            }
        } else {
            problems.append("no checkevent has succeeded yet")
        }
        let last = lastRuns["checkevent"]
        if let last, !last.succeeded {
            problems.append("the last checkevent, at \(last.endedAt), failed with exit \(last.exitCode)")
        }
        let longInDoubt = pending.filter {
            $0.createdAt < time.timestamp(secondsAgo: config.settleAfter + 3600)
        }
        if let oldest = longInDoubt.first {
            problems.append(
                "\(longInDoubt.count) step(s) in doubt for more than SettleAfter plus an hour, the oldest since "
                    + "\(oldest.createdAt) (see 'licmgr journal')")
        }
        let unpaid = try heldForFunds(store: store)
        fundsHeld = unpaid.count
        if !unpaid.isEmpty {
            problems.append("renewals held for lack of funds: \(unpaid.joined(separator: ", "))")
        }
        // A later renewal by hand speaks for the renewals as much as the last cron run.
        let spending = [last, lastRuns["renew"]].compactMap { $0 }.max { $0.endedAt < $1.endedAt }
        spendLimitHeld = spending?.counts["held"] ?? 0
        if let spending, let held = spending.counts["held"], held > 0 {
            problems.append(
                "\(held) step(s) held by SpendLimit in the last \(spending.command), at \(spending.endedAt)")
        }
    }

    /// The renewals and orders the remote refused for lack of funds that are still unpaid: the
    /// license still live with the term that was refused and its service active, the service
    /// still active without one.
    private func heldForFunds(store: any StateStore) throws -> [String] {
        var held: [String] = []
        var seen = Set<String>()
        for operation in try store.operations(state: .failed).reversed()
        where LicenseEngine.refusedForFunds(operation.result) {
            switch operation.kind {
            case .renew:
                guard let id = operation.licenseID, seen.insert("l\(id)").inserted,
                    let license = try store.license(id), license.isLive,
                    license.expires?.description == operation.params["expires_before"],
                    let owner = license.serviceID, try store.service(owner)?.status == .active
                else { continue }
                held.append("license \(id) (refused at \(operation.createdAt))")
            case .order:
                guard let id = operation.serviceID, seen.insert("s\(id) \(operation.addon ?? "")").inserted,
                    let service = try store.service(id), service.status == .active,
                    !(try store.licenses(serviceID: id).contains { $0.isLive && $0.addon == operation.addon })
                else { continue }
                held.append("an order for service \(id) (refused at \(operation.createdAt))")
            default: continue
            }
        }
        return held
    }
}
