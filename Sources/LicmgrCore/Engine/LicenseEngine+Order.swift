extension LicenseEngine {
    /// Serves each service: the license it has, else a live unattached one with its IP and
    /// tariff, else a new order. Unknown or closed ids fail the whole run before anything is sent.
    public func order(serviceIDs: [Int], dryRun: Bool) throws -> RunReport {
        var services: [Service] = []
        for id in serviceIDs {
            guard let service = try self.service(id) else { throw InputError.unknownService(id) }
            if service.status == .closed { throw InputError.closedService(id) }
            if !services.contains(where: { $0.id == id }) { services.append(service) }
        }
        var report = RunReport(dryRun: dryRun, observer: observer)
        var listing = try readAccount(dryRun: dryRun, report: &report)
        let resolver = try resolver()
        var plan = ServePlan()
        let index = try serveIndex(listing: listing)
        for service in services {
            guard report.stopped == nil else { break }
            try serve(
                service, resolver: resolver, listing: &listing, index: index, mode: ServeMode(dryRun: dryRun),
                plan: &plan, report: &report)
        }
        try place(plan, report: &report)
        // Ordered by hand, a license's key is wanted now: read back what this run bought.
        let bought = try report.items.filter { $0.action == .ordered }.compactMap(\.licenseID).compactMap {
            try store.license($0)
        }
        try refresh(bought, report: &report)
        return report
    }

    /// What serving looks up for every service, read once per run. Each service is served
    /// once a run, and what serving it changes concerns that service alone, so the index stays
    /// true for the services after it; whether a candidate is taken is read from the store.
    struct ServeIndex {
        /// Each service's live licenses, by addon: all serving needs to know of them.
        var attached = Attachments()
        var pending: [Int: [RemoteOperation]] = [:]
        var workflows: [Int: [Workflow]] = [:]
        /// The listing, and the positions in it of its live licenses by IP, where
        /// `attachable` looks: positions, because a second copy of 100,000 licenses weighs.
        var listing: [License] = []
        var candidates = PositionsByIP()
    }

    func serveIndex(listing: [License]) throws -> ServeIndex {
        var index = ServeIndex()
        try forEachLicense { license in
            guard license.isLive, let service = license.serviceID, let addon = license.addon else { return }
            index.attached.add(license: license.id, service: service, addon: addon)
        }
        index.attached.finish()
        stopKeepingReads()
        index.pending = Dictionary(
            grouping: try store.operations(state: .pending).filter { $0.serviceID != nil }, by: { $0.serviceID ?? 0 })
        index.workflows = Dictionary(
            grouping: try store.openWorkflows().filter { $0.serviceID != nil }, by: { $0.serviceID ?? 0 })
        index.listing = listing
        index.candidates = PositionsByIP(listing)
        return index
    }

    /// What serving decided for a run's services and carries out at the end: licenses found on
    /// the account to attach, written together, and orders, sent together.
    struct ServePlan {
        var orders: [OrderPlan] = []
        /// By position in `listing` and service id: a takeover holds 100,000 of them, and
        /// attaching reads no more of the service.
        var attaches: [(position: Int, service: Int, addon: String)] = []
        /// The listing `attaches` point into.
        var listing: [License] = []
        /// Licenses found for a service this run, no longer free for the next.
        var claimed: Set<Int> = []
        /// What a dry run would attach, reuse or move for a service, as the run would leave it:
        /// the renewal pass after serving plans their renewals as the run would make them.
        var wouldServe: [License] = []
        /// Takes from the free pool, recorded as serving found them and sent together.
        var takes: [PlannedTake] = []
        /// What serving looked in, for the need of a take given up: it is served as if the
        /// pool had nothing.
        var index: ServeIndex?
    }

    /// A take from the free pool that serving recorded, and the need it serves.
    struct PlannedTake {
        var workflow: Workflow
        var service: Service
        var need: Need
        /// All the service's needs, which an order bought instead counts its addons among.
        var needs: [Need]
    }

    /// An order `serve` decided on, sent with the others of its run.
    struct OrderPlan {
        var request: OrderRequest
        var service: Service
        var addon: String
        /// The report's failed items of a reuse for the same need that rolled back cleanly:
        /// once this order serves the need, they are warnings, not failures.
        var excused: [Int] = []
        /// How a dry run names the order: planned where the run sends it, with the others.
        var item: PlanItem? = nil
    }

    /// How a run serves: `allowSuspended` for `fixchilds`, which serves suspended services
    /// too unless told not to.
    struct ServeMode {
        var dryRun = false
        var allowSuspended = false
    }

    /// Serves one service's needs from what it has, what the account holds and the free pool;
    /// what is left to buy joins the plan, carried out by `place(_:report:)`.
    func serve(
        _ service: Service, resolver: Resolver, listing: inout [License], index: ServeIndex, mode: ServeMode,
        plan: inout ServePlan, report: inout RunReport
    ) throws {
        let dryRun = mode.dryRun
        let allowSuspended = mode.allowSuspended
        guard service.status == .active || (allowSuspended && service.status == .suspended) else {
            report.add(
                .failed, serviceID: service.id, "service \(service.id) is \(service.status.rawValue); resume it first")
            return
        }
        let needs: [Need]
        do {
            needs = try self.needs(of: service, resolver: resolver)
        } catch {
            report.refuse(serviceID: service.id, "service \(service.id) not served", error)
            return
        }
        if needs.isEmpty {
            report.add(.unchanged, serviceID: service.id, "no addon of service \(service.id) needs a license")
            return
        }
        let pending = index.pending[service.id] ?? []
        let workflows = index.workflows[service.id] ?? []
        for need in needs {
            guard report.stopped == nil else { return }
            if let current = index.attached.license(of: service.id, addon: need.addon) {
                report.add(
                    .unchanged, serviceID: service.id, addon: need.addon, licenseID: current,
                    "service \(service.id) has license \(current) already")
                continue
            }
            if pending.contains(where: { $0.serviceID == service.id && $0.addon == need.addon }) {
                // Settling said so already when it found the order still in flight.
                if report.items.contains(where: {
                    $0.action == .inDoubt && $0.serviceID == service.id && $0.addon == need.addon
                }) {
                    continue
                }
                report.add(
                    .inDoubt, serviceID: service.id, addon: need.addon,
                    "an earlier order for service \(service.id) is in doubt; the next run settles it")
                continue
            }
            if let open = workflows.first(where: { $0.serviceID == service.id && $0.addon == need.addon }) {
                // No other path for the same need while one is under way: the next run carries it on.
                report.add(
                    .inDoubt, serviceID: service.id, addon: need.addon, licenseID: open.licenseID,
                    "the \(open.kind.rawValue) of license \(open.licenseID) for service \(service.id) is not finished; "
                        + "the next run carries it on")
                continue
            }
            if let position = try attachable(for: service, need: need, index: index, claimed: plan.claimed) {
                let existing = index.listing[position]
                if dryRun {
                    report.plan(
                        PlanItem(
                            .attach(replacing: nil), serviceID: service.id, addon: need.addon, licenseID: existing.id))
                    plan.claimed.insert(existing.id)
                    plan.wouldServe.append(existing.serving(service, addon: need.addon))
                    continue
                }
                // Sized once, at the first: a takeover attaches nearly the whole listing, and a list
                // that doubles as it fills holds both halves at once. Pages not filled cost nothing.
                if plan.attaches.isEmpty {
                    plan.listing = index.listing
                    plan.attaches.reserveCapacity(index.listing.count)
                }
                plan.attaches.append((position, service.id, need.addon))
                plan.claimed.insert(existing.id)
                report.add(
                    .attached, serviceID: service.id, addon: need.addon, licenseID: existing.id,
                    "attached license \(existing.id) to service \(service.id)")
                // Its name follows the service's on a later follow pass: renames can wait.
                continue
            }
            // Why the pool does not serve this need, said wherever a license is bought instead.
            let notPooled: String
            if let why = poolUnused(by: service) {
                notPooled = why
            } else if service.status != .active {
                // A take wakes the license for its service, and gives itself up for one not active.
                notPooled = "service \(service.id) is \(service.status.rawValue)"
            } else {
                switch try poolOffer(tariff: need.tariff, listing: listing, dryRun: dryRun, claimed: plan.claimed) {
                case .free(let free):
                    if dryRun {
                        report.plan(
                            PlanItem(
                                .reuse(replacing: nil), serviceID: service.id, addon: need.addon, licenseID: free.id))
                        plan.claimed.insert(free.id)
                        plan.wouldServe.append(free.serving(service, addon: need.addon))
                        continue
                    }
                    // Sent with the run's other takes; one given up buys as below, once they are done.
                    plan.takes.append(
                        PlannedTake(
                            workflow: try startTake(free, for: service, need: need, replacing: nil), service: service,
                            need: need, needs: needs))
                    plan.claimed.insert(free.id)
                    if plan.index == nil { plan.index = index }
                    continue
                case .none(let why): notPooled = why
                }
            }
            try buy(
                need, for: service, needs: needs, notPooled: notPooled, resolver: resolver, index: index,
                dryRun: dryRun, plan: &plan, report: &report)
        }
    }

    /// Serves a need the pool does not serve, for `notPooled`: a license of another edition on
    /// the service's IP changes its tariff, else a new one is ordered. `excused`: the items of
    /// a take given up for it, which are warnings once the order serves.
    private func buy(
        _ need: Need, for service: Service, needs: [Need], notPooled: String, excused: [Int] = [],
        resolver: Resolver, index: ServeIndex, dryRun: Bool, plan: inout ServePlan, report: inout RunReport
    ) throws {
        let period: Int
        do {
            try resolver.checkSold(tariff: need.tariff, addon: need.addon, value: service.addons[need.addon] ?? "")
            period = try need.period()
        } catch {
            report.refuse(serviceID: service.id, addon: need.addon, "service \(service.id) not served", error)
            return
        }
        if let other = try movable(
            for: service, need: need, index: index, claimed: plan.claimed, resolver: resolver)
        {
            try move(other, to: service, need: need, period: period, dryRun: dryRun, plan: &plan, report: &report)
            return
        }
        let addons: [OrderRequest.AddonCount]
        do {
            addons = try resolver.addonCounts(
                tariff: need.tariff, among: needs.map(\.tariff), service: service.addons)
        } catch {
            report.refuse(serviceID: service.id, addon: need.addon, "service \(service.id) not served", error)
            return
        }
        let why = "not from the free pool: \(notPooled)"
        let request = OrderRequest(
            pricelist: need.tariff, line: need.line, period: period, ip: service.ip,
            name: service.licenseName(),
            remoteID: keys.next(), addons: addons)
        var order = OrderPlan(request: request, service: service, addon: need.addon, excused: excused)
        if dryRun {
            order.item = PlanItem(
                .order(planTerm(need.tariff, period, resolver)), serviceID: service.id, serviceIP: service.ip,
                addon: need.addon, why: why, charge: try charge(Price(tariff: need.tariff, period: period)))
        } else {
            report.note("service \(service.id) addon \(need.addon): buying tariff \(need.tariff) (\(why))")
        }
        plan.orders.append(order)
    }

    /// A live license on the account with the service's IP and tariff that serves no service:
    /// its position in `index.listing`.
    func attachable(for service: Service, need: Need, index: ServeIndex, claimed: Set<Int>) throws -> Int? {
        try unclaimed(on: service.ip, for: service, need: need, index: index, claimed: claimed) {
            $0.pricelist == need.tariff
        }
    }

    /// A live license on the service's IP that serves no service and is another edition of
    /// the product the need asks for: the vendor refuses a second license of a product on
    /// one IP, and moving this one to the needed tariff costs at most the difference.
    func movable(
        for service: Service, need: Need, index: ServeIndex, claimed: Set<Int>, resolver: Resolver
    ) throws -> License? {
        guard let product = resolver.product(ofTariff: need.tariff) else { return nil }
        return try unclaimed(on: service.ip, for: service, need: need, index: index, claimed: claimed) {
            $0.pricelist != need.tariff && $0.pricelist != 0 && $0.line == need.line
                && resolver.product(ofTariff: $0.pricelist) == product
        }.map { index.listing[$0] }
    }

    /// The position in `index.listing` of the first license on `ip` that `matches` and is free.
    private func unclaimed(
        on ip: String, for service: Service, need: Need, index: ServeIndex, claimed: Set<Int>,
        where matches: (License) -> Bool
    ) throws -> Int? {
        for position in index.candidates[ip] {
            let candidate = index.listing[position]
            guard matches(candidate), !claimed.contains(candidate.id) else { continue }
            if let known = try store.license(candidate.id) {
                // Held by another service, or by another addon of this one: not free to attach.
                if let owner = known.serviceID, owner != service.id || known.addon != need.addon { continue }
                // Moved off this IP since the listing was read, by a workflow this run carried on
                // (a reuse rolled back and parked, say): attaching it would take it out of the pool
                // without a new key.
                if known.ip != candidate.ip { continue }
            }
            return position
        }
        return nil
    }

    /// Serves a need with a license of another edition already on the service's IP: attached
    /// first, a local record, so that a run cut before the tariff change leaves it to the
    /// next follow pass rather than to a second order; then its tariff is changed.
    private func move(
        _ license: License, to service: Service, need: Need, period: Int, dryRun: Bool, plan: inout ServePlan,
        report: inout RunReport
    ) throws {
        plan.claimed.insert(license.id)
        let detail = "license \(license.id) of tariff \(license.pricelist) on \(service.ip) serves no service"
        if dryRun {
            report.plan(
                PlanItem(
                    .attach(replacing: nil), serviceID: service.id, addon: need.addon, licenseID: license.id,
                    why: detail))
            try retariff(license, of: service, to: need.tariff, period: period, dryRun: true, report: &report)
            var moved = license.serving(service, addon: need.addon)
            moved.pricelist = need.tariff
            moved.period = period
            plan.wouldServe.append(moved)
            return
        }
        try store.transaction {
            try attach(
                license, to: service.id, addon: need.addon, action: "attach",
                "attached license \(license.id) to service \(service.id) to move it to tariff \(need.tariff)")
        }
        report.add(
            .attached, serviceID: service.id, addon: need.addon, licenseID: license.id,
            "attached license \(license.id) to service \(service.id): \(detail); moving it to tariff \(need.tariff)")
        var attached = license
        attached.serviceID = service.id
        attached.addon = need.addon
        try retariff(attached, of: service, to: need.tariff, period: period, dryRun: false, report: &report)
    }

    /// Carries out a run's plan: the attachments, a few hundred to a transaction (they are
    /// local only: one lost to a crash is found again by the next run), then the orders.
    func place(_ plan: ServePlan, report: inout RunReport) throws {
        // Whatever happens, the items held for `excuse` are told once the orders are done.
        defer { report.release() }
        for chunk in stride(from: 0, to: plan.attaches.count, by: 500) {
            try store.transaction {
                for (position, service, addon) in plan.attaches[chunk..<min(chunk + 500, plan.attaches.count)] {
                    let license = plan.listing[position]
                    try attach(
                        license, to: service, addon: addon, action: "attach",
                        "attached existing license \(license.id) (\(license.ip), tariff \(license.pricelist))")
                }
            }
        }
        let instead = try carryOnTakes(plan, report: &report)
        try place(plan.orders, report: &report)
        if !instead.isEmpty { try place(instead, report: &report) }
        let served = Set(
            report.items.filter { $0.action == .ordered }.compactMap { item in
                item.serviceID.map { "\($0) \(item.addon ?? "")" }
            })
        report.excuse(
            [plan.orders, instead].joined().filter { served.contains("\($0.service.id) \($0.addon)") }
                .flatMap(\.excused),
            "a new license was bought instead")
    }

    /// Carries on the run's takes from the free pool together, then serves the need of each
    /// one given up as if the pool had nothing: returns the orders that buy for them.
    private func carryOnTakes(_ plan: ServePlan, report: inout RunReport) throws -> [OrderPlan] {
        guard let index = plan.index else { return [] }
        let givenUp = try takeAllHeld(plan.takes.map(\.workflow), report: &report)
        var instead = ServePlan()
        instead.claimed = plan.claimed
        let resolver = try resolver()
        for take in plan.takes {
            guard let excusable = givenUp[take.workflow.key] else { continue }
            try buy(
                take.need, for: take.service, needs: take.needs,
                notPooled: "reusing free license \(take.workflow.licenseID) failed", excused: excusable,
                resolver: resolver, index: index, dryRun: false, plan: &instead, report: &report)
        }
        return instead.orders
    }

    /// Journals, sends and records the orders of a run, up to `Parallel` at once. A failed
    /// order is in the report; one whose answer was lost stops the run.
    func place(_ orders: [OrderPlan], report: inout RunReport) throws {
        let planned = orders.map(ordering)
        if report.dryRun {
            try preview(
                zip(planned, orders).compactMap { step, order in order.item.map { (step.step, $0) } }, report: &report)
            return
        }
        // Places, not copies: a takeover's 10,000 orders are held in enough forms already.
        let byKey = Dictionary(
            orders.indices.map { (orders[$0].request.remoteID, $0) }, uniquingKeysWith: { a, _ in a })
        try sendAll(planned, report: &report) { order, answer, report in
            guard let place = byKey[order.key], case .ordered(let id) = answer else { return }
            try recordOrder(order, orders[place], id: id, report: &report)
        }
    }

    /// The journaled step that places an order.
    private func ordering(_ plan: OrderPlan) -> PlannedStep {
        PlannedStep(
            step: step(
                .order, at: .order, service: plan.service.id, addon: plan.addon, license: nil,
                params: [
                    "pricelist": String(plan.request.pricelist), "period": String(plan.request.period),
                    "ip": plan.request.ip, "licname": plan.request.name,
                ].merging(plan.request.addons.map { ("addon_\($0.id)", String($0.count)) }) { first, _ in first },
                key: plan.request.remoteID,
                buying: Price(tariff: plan.request.pricelist, period: plan.request.period),
                "order for service \(plan.service.id)"),
            call: .order(plan.request))
    }

    /// Records a license the remote sold: attached to its service, its term, the journal.
    /// Its key comes later, by view, when the license is active.
    func recordOrder(_ order: Step, _ plan: OrderPlan, id: Int, report: inout RunReport) throws {
        let request = plan.request
        let period = try catalogue().periodName(request.period, of: request.pricelist)
        let license = License(
            id: id, name: request.name, ip: request.ip, pricelist: request.pricelist, line: request.line,
            period: request.period,
            status: .ordered, remoteID: request.remoteID, autoprolong: "off", serviceID: plan.service.id,
            addon: plan.addon)
        try store.transaction {
            try store.save(license, at: time.timestamp)
            try store.attach(license: id, to: plan.service.id, addon: plan.addon)
            try store.setRenewedUntil(
                try termEnd(from: time.today, period: request.period, tariff: request.pricelist), license: id)
            try complete(
                order, license: id,
                "ordered license \(id): tariff \(request.pricelist), \(period), \(request.ip)")
        }
        report.add(
            .ordered, serviceID: plan.service.id, addon: plan.addon, licenseID: id,
            "ordered license \(id) for service \(plan.service.id) (\(request.ip)): "
                + (try described(request.pricelist, request.period)),
            charge: try spending(order))
    }

    /// Reads one license again and stores what the remote says; a failure is only a warning,
    /// since what was done is recorded already.
    @discardableResult
    func refresh(_ id: Int, report: inout RunReport) -> License? {
        do {
            // One licmgr has no record of is read as an unattached license of the main family.
            let known = try store.license(id) ?? License(id: id, name: "", ip: "", pricelist: 0, status: .ordered)
            return try refresh([known], report: &report).first
        } catch {
            report.warn("license \(id) could not be read back: \(error)")
            return nil
        }
    }

    /// Reads licenses again, up to `Parallel` at once, and stores what the remote says with
    /// their attachments; returns the licenses as read.
    @discardableResult
    func refresh(_ licenses: [License], report: inout RunReport) throws -> [License] {
        let known = Dictionary(licenses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var read: [License] = []
        for var viewed in try view(licenses, report: &report) {
            viewed.serviceID = known[viewed.id]?.serviceID
            viewed.addon = known[viewed.id]?.addon
            if viewed.statusUnsaid, let status = known[viewed.id]?.status { viewed.status = status }
            read.append(viewed)
        }
        try store.transaction {
            for license in read { try store.save(license, at: time.timestamp) }
        }
        return read
    }
}
