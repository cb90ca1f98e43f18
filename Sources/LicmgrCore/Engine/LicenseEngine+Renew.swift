extension LicenseEngine {
    /// Renews the licenses of the given services now, or with `due` every license whose
    /// expiry is at most `RenewBefore` days away. Only licenses of active services are renewed,
    /// never a trial or a lifetime one, and never twice for the same term.
    public func renew(serviceIDs: [Int], due: Bool, dryRun: Bool) throws -> RunReport {
        for id in serviceIDs where try self.service(id) == nil { throw InputError.unknownService(id) }
        var report = RunReport(dryRun: dryRun, observer: observer)
        _ = try readAccount(dryRun: dryRun, report: &report)
        try renewLicenses(serviceIDs: due ? nil : serviceIDs, dueOnly: due, dryRun: dryRun, report: &report)
        return report
    }

    /// The renewal pass shared by `renew` and `checkevent`; the known state must be fresh.
    /// `wouldServe`, `wouldRelease`: in a dry run, the licenses serving would have given to
    /// services, and those following them would have parked or deleted.
    func renewLicenses(
        serviceIDs: [Int]?, dueOnly: Bool, dryRun: Bool, wouldServe: [License] = [], wouldRelease: Set<Int> = [],
        report: inout RunReport
    ) throws {
        let resolver = try resolver()
        let today = time.today
        let dueDay = today.adding(days: config.renewBefore)
        // Filtered as read: the whole table at 100,000 licenses is not worth holding for a few due.
        func wanted(_ license: License) -> Bool {
            license.isLive && (!dueOnly || license.expires.map { $0 <= dueDay } ?? false)
        }
        var licenses: [License] = []
        if let serviceIDs {
            for id in serviceIDs { licenses += try store.licenses(serviceID: id).filter(wanted) }
        } else {
            let given = Dictionary(wouldServe.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            try forEachLicense(matching: LicenseFilter(attached: true, expiringBy: dueOnly ? dueDay : nil)) { license in
                if license.serviceID != nil && given[license.id] == nil && wanted(license) { licenses.append(license) }
            }
            licenses += given.values.filter(wanted).sorted { $0.id < $1.id }
            licenses.removeAll { wouldRelease.contains($0.id) }
        }
        guard !licenses.isEmpty else { return }
        var snapshot = RenewalPlan.Snapshot(licenses: licenses, services: [:], dueDay: dueDay)
        // The renewals journaled so far, by license: the journal only grows, so look up, not scan.
        snapshot.journal = Dictionary(
            grouping: (try store.operations(state: .done) + store.operations(state: .failed)).filter {
                $0.kind == .renew
            },
            by: { $0.licenseID ?? 0 })
        snapshot.busy = try busyLicenses()
        for license in licenses where !snapshot.busy.contains(license.id) {
            if let id = license.serviceID, snapshot.services[id] == nil { snapshot.services[id] = try service(id) }
            snapshot.renewedUntil[license.id] = try store.renewedUntil(license: license.id)
        }
        var renewals: [PlannedStep] = []
        var planned: [(step: Step, item: PlanItem)] = []
        for decision in RenewalPlan.decide(snapshot, resolver: resolver) {
            switch decision {
            case .skip(let license, let why, let warning):
                if let warning { report.warn(warning) }
                report.add(
                    .skipped, serviceID: license.serviceID, licenseID: license.id,
                    "license \(license.id) not renewed: \(why)")
            case .refuse(let license, let error):
                report.refuse(
                    serviceID: license.serviceID, licenseID: license.id, "license \(license.id) not renewed", error)
            case .renew(let license, let period):
                let step = renewal(of: license, period: period, at: .renew)
                guard dryRun else {
                    renewals.append(PlannedStep(step: step, call: .prolong(license: license.id, period: period)))
                    continue
                }
                planned.append(
                    (
                        step,
                        PlanItem(
                            .renew(planTerm(license.pricelist, period, resolver), lapsed: nil),
                            serviceID: license.serviceID, licenseID: license.id,
                            charge: try charge(Price(tariff: license.pricelist, period: period)))
                    ))
            }
        }
        if dryRun {
            try preview(planned, report: &report)
            return
        }
        let byID = Dictionary(licenses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        try sendAll(renewals, report: &report) { step, answer, report in
            guard let license = step.license.flatMap({ byID[$0] }), case .expiry(let expires) = answer else { return }
            try recordRenewal(step, of: license, until: expires, report: &report)
        }
    }

    func renewal(of license: License, period: Int, at point: StepPoint) -> Step {
        step(
            .renew, at: point, service: license.serviceID, addon: license.addon, license: license.id,
            params: ["period": String(period), "expires_before": license.expires?.description ?? ""],
            buying: Price(tariff: license.pricelist, period: period), "renew license \(license.id)")
    }

    /// Records a renewal the remote took: the expiry it answered (the next listing brings it
    /// when the answer did not), licmgr's own end of term, the journal and history.
    func recordRenewal(_ renewal: Step, of license: License, until answered: Day?, report: inout RunReport) throws {
        let period = Int(renewal.params["period"] ?? "") ?? 1
        var renewed = license
        if let answered { renewed.expires = answered }
        let term = try catalogue().periodName(period, of: license.pricelist)
        try store.transaction {
            try store.save(renewed, at: time.timestamp)
            try store.setRenewedUntil(
                try termEnd(from: time.today, period: period, tariff: license.pricelist), license: license.id)
            try complete(
                renewal,
                "renewed license \(license.id) for \(term) until \(renewed.expires?.description ?? "?")")
        }
        report.add(
            .renewed, serviceID: license.serviceID, addon: license.addon, licenseID: license.id,
            "renewed license \(license.id)\(license.serviceID.map { " of service \($0)" } ?? "") for \(term) until "
                + (renewed.expires?.description ?? "?"), charge: try spending(renewal))
    }

    /// The last day of the term a renewal or order on `day` bought, by licmgr's own reckoning:
    /// the period's length from that day, which is never later than the remote's true expiry.
    /// A period the catalogue does not describe counts as the shortest sold, one month.
    func termEnd(from day: Day, period: Int, tariff: Int) throws -> Day {
        let sold = try catalogue().period(period, of: tariff)
        if let sold, sold.type == "day" { return day.adding(days: max(sold.length, 1)) }
        if let months = sold?.months { return day.adding(months: months) }
        return day.adding(months: sold == nil && (1...120).contains(period) ? period : 1)
    }

    /// Why a license must not be renewed, or nil.
    static func notRenewable(_ license: License, service: Service, catalogue: Catalogue) -> String? {
        if service.status != .active { return "service \(service.id) is \(service.status.rawValue)" }
        let type = catalogue.tariffs[license.pricelist]?.periods.first { $0.id == license.period }?.type
        if type == "trial" || license.period == -100 { return "it is a trial" }
        if type == "lifetime" || license.period == 0 { return "it is a lifetime license" }
        return nil
    }

    /// Why `service` no longer needs `license`, or nil: the addon it serves is gone, asks for no
    /// license, or for one of another family. The next follow pass lets such a license go, so a
    /// renewal would pay for nothing. An addon that no longer resolves says nothing either way.
    static func noLongerNeeded(_ license: License, by service: Service, resolver: Resolver) -> String? {
        guard let addon = license.addon else { return nil }
        let tariff: Int?
        do {
            tariff = try service.addons[addon].flatMap { try resolver.tariff(addon: addon, value: $0) }
        } catch {
            return nil
        }
        guard let tariff else { return "service \(service.id) no longer has addon \(addon)" }
        guard let line = resolver.line(forTariff: tariff) else { return nil }
        guard line == license.line else { return "service \(service.id) now needs tariff \(tariff) (\(line.rawValue))" }
        return nil
    }

    /// ", 10.00 EUR" when the catalogue knows the price; empty otherwise.
    /// A tariff and period as a run's lines name them: "ISPmanager 6 Lite (55227), 1 month".
    func described(_ tariff: Int, _ period: Int) throws -> String {
        let catalogue = try catalogue()
        return PlanItem.TariffTerm(
            tariff: tariff, name: catalogue.tariffs[tariff]?.name, period: catalogue.periodName(period, of: tariff),
            price: nil
        ).described
    }

    /// A tariff and period as a plan names them, with the catalogue's price.
    func planTerm(_ tariff: Int, _ period: Int, _ resolver: Resolver) -> PlanItem.TariffTerm {
        let known = resolver.catalogue.tariffs[tariff]
        let price = known.flatMap { known in
            known.periods.first(where: { $0.id == period }).map { "\($0.writtenCost) \(known.currency)" }
        }
        return PlanItem.TariffTerm(
            tariff: tariff, name: known?.name, period: resolver.catalogue.periodName(period, of: tariff), price: price)
    }

    /// Stores what one listing says of every license, keeping attachments.
    func refreshKnown(from listing: [License], known: KnownLicenses) throws {
        let at = time.timestamp
        try store.transaction {
            for remote in listing {
                var license = remote
                if let known = known[remote.id] {
                    license.serviceID = known.serviceID
                    license.addon = known.addon
                    // What the store keeps when a listing row leaves it out: a row that
                    // changes nothing else is not written again.
                    license.key = license.key ?? known.key
                    license.remoteID = license.remoteID ?? known.remoteID
                    license.autoprolong = license.autoprolong ?? known.autoprolong
                    license.ipChanged = license.ipChanged ?? known.ipChanged
                    license.keyChanged = license.keyChanged ?? known.keyChanged
                    if license.pricelist == known.pricelist {
                        license.tariffName = license.tariffName ?? known.tariffName
                    }
                    if license == known { continue }
                }
                try store.save(license, at: at)
            }
        }
    }
}
