extension LicenseEngine {
    /// Carries recorded service changes to the remote licenses of the given services (nil:
    /// all): suspend, resume, IP and name, tariff, and close (park or delete).
    /// With `dryRun`, `change` is a change not yet recorded, shown as if it were.
    public func follow(serviceIDs: [Int]?, dryRun: Bool, assuming change: ServiceChange = ServiceChange()) throws
        -> RunReport
    {
        var report = RunReport(dryRun: dryRun, observer: observer)
        let listing = try readAccount(dryRun: dryRun, report: &report)
        try followServices(serviceIDs, listing: listing, dryRun: dryRun, assuming: change, report: &report)
        return report
    }

    /// The follow pass shared by `service ... --now` and `checkevent`; the known state must be fresh.
    /// Returns what a dry run planned that the passes after it must know: see `FollowPlan`.
    /// `served`: licenses a dry run's serving would have given to services, followed as the run
    /// finds them attached by then.
    @discardableResult
    func followServices(
        _ serviceIDs: [Int]?, listing: [License], dryRun: Bool, assuming change: ServiceChange = ServiceChange(),
        served: [License] = [], report: inout RunReport
    ) throws -> FollowPlan {
        var services: [Service] = []
        if let serviceIDs {
            for id in serviceIDs {
                guard let service = try self.service(id) else { throw InputError.unknownService(id) }
                services.append(ServiceRegistry.applying(change, to: service))
            }
        } else {
            services = try self.services(includeClosed: true)
        }
        let resolver = try resolver()
        let busy = try busyLicenses()
        // Positions in the run's one read of the licenses, not copies: 100,000 weigh 30 MB.
        // Those past the read are of `served`, and so come after a service's recorded ones.
        let known = try knownLicenses().values
        func recordedOrServed(_ position: Int) -> License {
            position < known.count ? known[position] : served[position - known.count]
        }
        let byService = PositionsByKey(count: known.count + served.count) { position in
            let one = recordedOrServed(position)
            return one.isLive ? one.serviceID : nil
        }
        var batch = FollowBatch()
        batch.busy = busy
        for service in services {
            for license in byService[service.id].lazy.map(recordedOrServed) where !busy.contains(license.id) {
                guard report.stopped == nil else { return batch.plan }
                try follow(
                    license, of: service, resolver: resolver, listing: listing, dryRun: dryRun, batch: &batch,
                    report: &report)
            }
        }
        if batch.renamesLeft > 0 {
            report.note(
                "\(batch.renamesLeft) license(s) still to be renamed after their services; later runs do "
                    + "\(renamesPerRun) at a time")
        }
        if dryRun {
            try preview(batch.changes, report: &report)
        } else {
            let asleep = try wakeLapsed(batch.lapsed, report: &report)
            guard report.stopped == nil else { return batch.plan }
            // A license that did not wake is not moved or changed as if it had.
            if !asleep.isEmpty { batch.changes.removeAll { $0.planned.step.license.map(asleep.contains) ?? false } }
            try apply(batch.changes, report: &report)
        }
        guard report.stopped == nil else { return batch.plan }
        try upgradeAll(batch.upgrades, report: &report)
        guard report.stopped == nil else { return batch.plan }
        try parkAll(batch.parks, report: &report)
        return batch.plan
    }

    /// The simple one-call changes of a follow pass, sent together once every service is seen.
    struct FollowBatch {
        var changes: [PlannedChange] = []
        var renames = 0
        var renamesLeft = 0
        /// Positions of the listing's live licenses by IP, built when a tariff change first asks.
        private var byIP: PositionsByIP?
        /// Licenses a step in doubt or an open workflow holds, as the pass found them.
        var busy: Set<Int> = []
        /// Licenses to park, together once the changes are sent.
        var parks: [License] = []
        /// Lapsed licenses of resumed services, each with the period to renew it for.
        var lapsed: [(license: License, service: Service, period: Int)] = []
        /// Upgrades taking a free license of the new tariff, together once the changes are sent.
        var upgrades: [Upgrade] = []
        var plan = FollowPlan()

        /// `byIP`, built from `listing` at the first ask.
        mutating func positions(of listing: [License]) -> PositionsByIP {
            if let byIP { return byIP }
            let built = PositionsByIP(listing)
            byIP = built
            return built
        }
    }

    /// An upgrade the follow pass recorded: the license it replaces, for the tariff change
    /// made instead if the take is given up.
    struct Upgrade {
        var workflow: Workflow
        var license: License
        var service: Service
        var need: Need
    }

    /// What a dry run's follow pass planned that serving and renewing after it must pass over,
    /// as the run's passes find them done by then.
    struct FollowPlan {
        /// Free licenses taken for upgrades.
        var claimed: Set<Int> = []
        /// Licenses parked or deleted.
        var released: Set<Int> = []
        /// Licenses attached in place of others, as the run leaves them.
        var served: [License] = []
    }

    private func follow(
        _ license: License, of service: Service, resolver: Resolver, listing: [License], dryRun: Bool,
        batch: inout FollowBatch, report: inout RunReport
    ) throws {
        switch service.status {
        case .closed:
            try release(
                license, of: service, why: "service \(service.id) is closed", dryRun: dryRun, batch: &batch,
                report: &report)
        case .suspended:
            guard license.status == .active else { return }
            var suspended = license
            suspended.status = .suspended
            let hold = step(
                .suspend, at: .followSuspend, service: service.id, addon: license.addon, license: license.id,
                "suspend license \(license.id)")
            batch.changes.append(
                PlannedChange(
                    planned: PlannedStep(step: hold, call: .suspend(license: license.id, line: license.line)),
                    changed: suspended, action: .suspended,
                    detail: "suspended license \(license.id) with service \(service.id)",
                    plan: PlanItem(.suspend, serviceID: service.id, licenseID: license.id)))
        case .active:
            // The tariff first: a period nothing can resolve matters only to a tariff change,
            // and must not keep the license from following its service's IP and name.
            let needed: (tariff: Int, line: ProductLine)?
            do {
                needed = try license.addon.flatMap { key in
                    try service.addons[key].flatMap { value in
                        try resolver.tariff(addon: key, value: value).map { tariff in
                            (tariff, try resolver.line(forTariff: tariff, addon: key, value: value))
                        }
                    }
                }
            } catch {
                report.refuse(serviceID: service.id, licenseID: license.id, "license \(license.id) not followed", error)
                return
            }
            guard let (tariff, line) = needed else {
                try release(
                    license, of: service, why: "service \(service.id) no longer has addon \(license.addon ?? "?")",
                    dryRun: dryRun, batch: &batch, report: &report)
                return
            }
            // A tariff change that waits for the license to follow its service's IP.
            var afterMove: Need?
            // A tariff the remote did not report is unknown, not different: nothing is bought blind.
            if license.pricelist == 0 {
                report.warn("license \(license.id) came without a tariff id; its tariff is left alone")
            } else if license.line != line {
                // No tariff change crosses function families: let this one go, and serving the
                // service buys or finds one of the new family.
                try release(
                    license, of: service,
                    why: "service \(service.id) now needs tariff \(tariff) (\(line.rawValue))",
                    dryRun: dryRun, batch: &batch, report: &report)
                return
            } else if license.pricelist != tariff || license.ip != service.ip {
                let need = Need(
                    addon: license.addon ?? "", tariff: tariff, line: line,
                    periodChoice: Result { () throws(ConfigError) in
                        try resolver.period(local: service.period, tariff: tariff)
                    })
                // The vendor refuses a second license of a tariff on one IP: a move there, or a
                // change to that tariff, could never be made while that license sits unused.
                if let present = try presentLicense(of: need, on: service, listing: listing, batch: &batch),
                    present.id != license.id
                {
                    if dryRun {
                        batch.plan.released.insert(license.id)
                        batch.plan.served.append(present.serving(service, addon: need.addon))
                    }
                    try swap(license, for: present, of: service, need: need, dryRun: dryRun, report: &report)
                    return
                }
                // On its old IP the change may be refused for a license of the new tariff there,
                // for good once the service has left: the license follows its service first (and
                // wakes with it), and its tariff changes in the wave after.
                if license.pricelist != tariff && license.ip == service.ip {
                    try changeTariff(
                        license, of: service, to: need, listing: listing, dryRun: dryRun, batch: &batch,
                        report: &report)
                    return
                }
                if license.pricelist != tariff {
                    // Unless the new IP holds a license of this one's tariff: then the move
                    // waits for the tariff change, made on the old IP.
                    if license.status != .suspended
                        && onIP(
                            service.ip, tariff: license.pricelist, except: license.id, listing: listing, batch: &batch)
                    {
                        try changeTariff(
                            license, of: service, to: need, listing: listing, dryRun: dryRun, batch: &batch,
                            report: &report)
                        if let changed = batch.changes.last, changed.planned.step.license == license.id,
                            changed.planned.step.kind == .changeTariff,
                            let move = moveAndRename(changed.changed, for: service)
                        {
                            batch.changes.append(move)
                        }
                        return
                    }
                    afterMove = need
                }
            }
            var current = license
            if current.status == .suspended {
                let wake: Waking
                do {
                    wake = try howToWake(license, for: service)
                } catch {
                    report.refuse(
                        serviceID: service.id, licenseID: license.id, "license \(license.id) not resumed", error)
                    return
                }
                switch wake {
                case .resume, .resumeUnpaid:
                    if case .resumeUnpaid(let until) = wake, !dryRun {
                        report.warn(Self.resumedWithoutRenewing(license, until: until))
                    }
                    // Nothing to renew first: sent with the pass's other changes, and a move
                    // after it only once it woke.
                    current.status = .active
                    batch.changes.append(
                        PlannedChange(
                            planned: waking(license, of: service), changed: current, action: .resumed,
                            detail: "resumed license \(license.id) with service \(service.id)",
                            plan: PlanItem(.resume, serviceID: service.id, licenseID: license.id)))
                case .renewFirst(let period, let lapsed):
                    if dryRun {
                        try planSpending(
                            PlanItem(
                                .renew(planTerm(license.pricelist, period, resolver), lapsed: lapsed),
                                serviceID: service.id, licenseID: license.id,
                                charge: try charge(Price(tariff: license.pricelist, period: period))),
                            report: &report)
                        report.plan(PlanItem(.resume, serviceID: service.id, licenseID: license.id))
                    } else {
                        // Renewed, then woken, with the pass's other lapsed licenses, before its changes.
                        batch.lapsed.append((license, service, period))
                    }
                    current.status = .active
                }
            }
            let renameOnly = current.ip == service.ip && current.name != service.licenseName()
            if renameOnly && batch.renames >= renamesPerRun {
                batch.renamesLeft += 1
            } else if let change = moveAndRename(current, for: service) {
                batch.renames += renameOnly ? 1 : 0
                batch.changes.append(change)
                current = change.changed
            }
            guard let need = afterMove else { return }
            if config.has(.useExistingOnUpgrade) {
                // A free license taken now would leave the move above to the license it replaces.
                report.note(
                    "license \(license.id) of service \(service.id): its tariff changes to \(need.tariff) on the "
                        + "next pass, once it is on \(service.ip)")
                return
            }
            try changeTariff(
                current, of: service, to: need, listing: listing, dryRun: dryRun, batch: &batch, report: &report)
        }
    }

    /// The change that makes a license follow its service's IP and name, or nil when it does.
    func moveAndRename(_ license: License, for service: Service) -> PlannedChange? {
        let name = service.licenseName()
        guard license.ip != service.ip || license.name != name else { return nil }
        let newIP = license.ip != service.ip ? service.ip : nil
        let newName = license.name != name ? name : nil
        let what = [newIP.map { "IP \(license.ip) -> \($0)" }, newName.map { "name '\($0)'" }].compactMap { $0 }
            .joined(separator: ", ")
        var params: [String: String] = [:]
        params["ip"] = newIP
        params["licname"] = newName
        let edit = step(
            .edit, at: .followMove, service: service.id, addon: license.addon, license: license.id, params: params,
            "change license \(license.id): \(what)")
        var edited = license
        if newIP != nil { edited.ipChanged = time.today }
        edited.ip = service.ip
        edited.name = name
        return PlannedChange(
            planned: PlannedStep(
                step: edit, call: .edit(license: license.id, line: license.line, name: newName, ip: newIP)),
            changed: edited, action: .edited, detail: "changed license \(license.id): \(what)",
            plan: PlanItem(.edit(what: what), serviceID: service.id, licenseID: license.id))
    }

    /// As `dispose`, into the follow pass's batch: a delete goes out with the pass's other
    /// changes, a park with its other parks.
    private func release(
        _ license: License, of service: Service, why: String, dryRun: Bool, batch: inout FollowBatch,
        report: inout RunReport
    ) throws {
        if dryRun { batch.plan.released.insert(license.id) }
        if !reusesLicenses(of: service) {
            batch.changes.append(deletion(license, of: service, why: why))
        } else if dryRun {
            try dispose(license, of: service, why: why, dryRun: true, report: &report)
        } else {
            batch.parks.append(license)
        }
    }

    /// A license its service no longer needs: parked for a reusing package, deleted otherwise.
    /// True once it is deleted, or its parking is recorded as a workflow of its own.
    @discardableResult
    func dispose(_ license: License, of service: Service, why: String, dryRun: Bool, report: inout RunReport) throws
        -> Bool
    {
        let parks = reusesLicenses(of: service)
        if dryRun {
            report.plan(
                PlanItem(
                    parks ? .park : .delete(described: nil), serviceID: service.id, licenseID: license.id, why: why))
            return false
        }
        if parks {
            try park(license, report: &report)
            return true
        }
        let removal = deletion(license, of: service, why: why)
        return try apply(
            removal.planned.step, to: removal.changed, reportAs: .deleted, removal.detail, report: &report
        ) { () throws(RemoteError) in try server.delete(license: license.id, line: license.line) }
    }

    /// The journaled step that deletes a license its service no longer needs, and the license once it is done.
    func deletion(_ license: License, of service: Service, why: String) -> PlannedChange {
        var deleted = license
        deleted.status = .deleted
        return PlannedChange(
            planned: PlannedStep(
                step: step(
                    .delete, at: .delete, service: service.id, addon: license.addon, license: license.id,
                    "delete license \(license.id)"),
                call: .delete(license: license.id, line: license.line)),
            changed: deleted, action: .deleted, detail: "deleted license \(license.id): \(why)",
            plan: PlanItem(.delete(described: nil), serviceID: service.id, licenseID: license.id, why: why))
    }

    /// The addon now maps to another tariff: with `UseExistingOnUpgrade` take a free license
    /// of the new tariff and let the old one go; otherwise change the license's tariff.
    private func changeTariff(
        _ license: License, of service: Service, to need: Need, listing: [License], dryRun: Bool,
        batch: inout FollowBatch, report: inout RunReport
    ) throws {
        // Why no free license of the new tariff serves instead, said wherever the tariff change is paid.
        var notPooled = "Option UseExistingOnUpgrade is off"
        if config.has(.useExistingOnUpgrade) {
            switch try poolOffer(tariff: need.tariff, listing: listing, dryRun: dryRun, claimed: batch.plan.claimed) {
            case .free(let free):
                if dryRun {
                    batch.plan.claimed.insert(free.id)
                    report.plan(
                        PlanItem(
                            .reuse(replacing: license.id), serviceID: service.id, addon: need.addon, licenseID: free.id)
                    )
                    batch.plan.released.insert(license.id)
                    try dispose(
                        license, of: service, why: "replaced by license \(free.id)", dryRun: true, report: &report)
                    return
                }
                batch.upgrades.append(
                    Upgrade(
                        workflow: try startTake(free, for: service, need: need, replacing: license), license: license,
                        service: service, need: need))
                return
            case .none(let why): notPooled = why
            }
        }
        try retariffUnpooled(
            license, of: service, to: need, notPooled: notPooled, dryRun: dryRun, batch: &batch, report: &report)
    }

    /// Carries on the pass's upgrades together; the license of one given up changes its tariff instead.
    private func upgradeAll(_ upgrades: [Upgrade], report: inout RunReport) throws {
        // Whatever happens, the items held for `excuse` are told once the tariff changes are done.
        defer { report.release() }
        let givenUp = try takeAllHeld(upgrades.map(\.workflow), report: &report)
        var batch = FollowBatch()
        for upgrade in upgrades {
            guard let excused = givenUp[upgrade.workflow.key] else { continue }
            try retariffUnpooled(
                upgrade.license, of: upgrade.service, to: upgrade.need,
                notPooled: "taking free license \(upgrade.workflow.licenseID) failed", excused: excused, dryRun: false,
                batch: &batch, report: &report)
        }
        try apply(batch.changes, report: &report)
    }

    /// Changes the license's tariff to the need's, the free pool not serving it for `notPooled`.
    /// `excused`: the items of a take given up for it, which are warnings once the change is made.
    private func retariffUnpooled(
        _ license: License, of service: Service, to need: Need, notPooled: String, excused: [Int] = [],
        dryRun: Bool, batch: inout FollowBatch, report: inout RunReport
    ) throws {
        let period: Int
        do {
            try resolver().checkSold(tariff: need.tariff, addon: need.addon, value: service.addons[need.addon] ?? "")
            period = try need.period()
        } catch {
            report.refuse(
                serviceID: service.id, licenseID: license.id,
                "license \(license.id) not changed to tariff \(need.tariff)",
                error)
            return
        }
        let why = "not from the free pool: \(notPooled)"
        if !dryRun {
            report.note(
                "license \(license.id) of service \(service.id): changing its tariff to \(need.tariff) (\(why))")
        }
        if excused.isEmpty {
            let change = try retariffing(license, of: service, to: need.tariff, period: period, why: why)
            batch.changes.append(change)
            // Renewed later in the run at the new tariff's price, as the run leaves it.
            if dryRun { batch.plan.served.append(change.changed) }
            return
        }
        if try retariff(
            license, of: service, to: need.tariff, period: period, dryRun: dryRun, why: why, report: &report)
        {
            report.excuse(excused, "license \(license.id) changed its tariff instead")
        }
    }

    /// Whether a live license of `tariff` other than `except` is on `ip`.
    private func onIP(_ ip: String, tariff: Int, except: Int, listing: [License], batch: inout FollowBatch) -> Bool {
        batch.positions(of: listing)[ip].contains { listing[$0].pricelist == tariff && listing[$0].id != except }
    }

    /// A live license of the needed tariff on the service's IP that no service holds: bought by
    /// hand, say. The vendor refuses a tariff change, or a free license moved there, that would
    /// put a second license of that tariff on the IP, so while it stays unused the change could
    /// never be made; and it is paid for already.
    private func presentLicense(of need: Need, on service: Service, listing: [License], batch: inout FollowBatch)
        throws -> License?
    {
        for position in batch.positions(of: listing)[service.ip] {
            let candidate = listing[position]
            guard candidate.pricelist == need.tariff, candidate.line == need.line, !candidate.isParked,
                !batch.busy.contains(candidate.id)
            else { continue }
            if let known = try store.license(candidate.id), known.serviceID != nil || known.ip != candidate.ip {
                continue
            }
            return candidate
        }
        return nil
    }

    /// Serves the need with `present`, already on the service's IP, and lets `license` go. One
    /// upgrade workflow, recorded with the new license attached and taken, so a run cut before
    /// the old license is parked or deleted leaves that to the next run, never to a second change.
    private func swap(
        _ license: License, for present: License, of service: Service, need: Need, dryRun: Bool,
        report: inout RunReport
    ) throws {
        let why = "license \(present.id) of tariff \(need.tariff) is on \(service.ip) already, serving no service"
        if dryRun {
            report.plan(
                PlanItem(
                    .attach(replacing: license.id), serviceID: service.id, addon: need.addon, licenseID: present.id,
                    why: why))
            try dispose(
                license, of: service, why: "replaced by license \(present.id)", dryRun: true, report: &report)
            return
        }
        var workflow = try beginTake(
            present, for: service, addon: need.addon, replacing: license, marks: [.taken],
            "attaching license \(present.id) (tariff \(need.tariff)) to service \(service.id) in place of "
                + "license \(license.id): \(why)")
        report.add(
            .attached, serviceID: service.id, addon: need.addon, licenseID: present.id,
            "attached license \(present.id) to service \(service.id) in place of license \(license.id): \(why)")
        _ = try advance(&workflow, report: &report)
    }

    /// Changes a license's tariff: one journaled remote step. `why` ends a dry run's line.
    @discardableResult
    func retariff(
        _ license: License, of service: Service, to tariff: Int, period: Int, dryRun: Bool, why: String? = nil,
        report: inout RunReport
    ) throws -> Bool {
        let change = try retariffing(license, of: service, to: tariff, period: period, why: why)
        if dryRun {
            if let item = change.plan { try planSpending(item, report: &report) }
            return false
        }
        return try apply(change.planned.step, to: change.changed, reportAs: .retariffed, change.detail, report: &report)
        { () throws(RemoteError) in
            try server.changeTariff(license: license.id, pricelist: tariff, period: period)
        }
    }

    /// The journaled step that changes a license's tariff, and the license once it is done.
    func retariffing(_ license: License, of service: Service, to tariff: Int, period: Int, why: String? = nil) throws
        -> PlannedChange
    {
        let change = step(
            .changeTariff, at: .retariff, service: service.id, addon: license.addon, license: license.id,
            params: ["pricelist": String(tariff), "period": String(period)],
            buying: Price(tariff: tariff, period: period),
            "change license \(license.id) to tariff \(tariff)")
        var changed = license
        changed.pricelist = tariff
        // The old name would later pass the old tariff's row off as the new one.
        changed.tariffName = try catalogue().tariffs[tariff]?.name
        changed.period = period
        return PlannedChange(
            planned: PlannedStep(
                step: change, call: .changeTariff(license: license.id, pricelist: tariff, period: period)),
            changed: changed, action: .retariffed,
            detail: "changed license \(license.id) of service \(service.id) from tariff \(license.pricelist) to "
                + (try described(tariff, period)),
            plan: PlanItem(
                .retariff(planTerm(tariff, period, try resolver())), serviceID: service.id, licenseID: license.id,
                why: why, charge: try charge(Price(tariff: tariff, period: period))))
    }
}
