/// What `fixchilds` leaves for a person to look at.
public struct FixChildsReport: Sendable, Equatable {
    /// A service that still has no license after the run, and why.
    public struct Unserved: Sendable, Equatable {
        public var serviceID: Int
        public var addon: String?
        public var reason: String
    }

    public var run: RunReport
    /// Licenses no service uses, as `list --unused` shows them after the run.
    public var orphans: [UnusedLicense] = []
    public var unserved: [Unserved] = []
}

extension LicenseEngine {
    /// Takes over an account as cpbillmgr's `fixchilds` did: attach every remote license to
    /// the service with its IP and tariff, order what is still missing, then list the remote
    /// licenses no service uses and the services still without a license.
    public func fixChilds(dryRun: Bool) throws -> FixChildsReport {
        var run = RunReport(dryRun: dryRun, observer: observer)
        var listing = try readAccount(dryRun: dryRun, report: &run)
        let resolver = try resolver()
        let skipSuspended = config.has(.noFixSuspended)
        var unserved: [FixChildsReport.Unserved] = []
        var plan = ServePlan()
        var suspended: [Int] = []
        let index = try serveIndex(listing: listing)
        for service in try self.services(includeClosed: false) {
            guard run.stopped == nil else { break }
            if service.status == .suspended && skipSuspended {
                if !index.attached.serves(service.id),
                    (try? needs(of: service, resolver: resolver).isEmpty) == false
                {
                    unserved.append(
                        .init(serviceID: service.id, addon: nil, reason: "suspended (Option NoFixSuspended)"))
                }
                continue
            }
            try serve(
                service, resolver: resolver, listing: &listing, index: index,
                mode: ServeMode(dryRun: dryRun, allowSuspended: true), plan: &plan, report: &run)
            if service.status == .suspended { suspended.append(service.id) }
        }
        try place(plan, report: &run)
        // A suspended service's license, found or just bought, is suspended with it.
        if run.stopped == nil && !suspended.isEmpty {
            try followServices(suspended, listing: listing, dryRun: dryRun, served: plan.wouldServe, report: &run)
        }
        for item in run.items where item.action == .failed || item.action == .inDoubt {
            guard let id = item.serviceID, !unserved.contains(where: { $0.serviceID == id && $0.addon == item.addon })
            else {
                continue
            }
            unserved.append(.init(serviceID: id, addon: item.addon, reason: item.detail))
        }
        var report = FixChildsReport(run: run)
        report.unserved = unserved
        let planned = Set(run.items.filter { $0.action == .planned }.compactMap(\.licenseID))
        // Ids only: the licenses themselves are in the listing, and the run's report is at its largest.
        var attached = Set<Int>()
        try store.forEachLicense { if $0.serviceID != nil { attached.insert($0.id) } }
        for license in listing where license.isLive && !license.isParked && !planned.contains(license.id) {
            if attached.contains(license.id) { continue }
            report.orphans.append(
                UnusedLicense(
                    license: license, monthlyCost: UnusedLicenses.monthlyCost(of: license, resolver.catalogue)))
        }
        return report
    }
}
