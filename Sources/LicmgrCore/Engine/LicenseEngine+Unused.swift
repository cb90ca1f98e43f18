extension LicenseEngine {
    /// Parks the named licenses in the free pool, each as the park workflow `service close`
    /// uses, so that a run cut off half-way is finished by the next one. A license that
    /// serves a service, is unknown or is gone from the remote fails as bad input and the others go on.
    public func parkLicenses(_ ids: [Int], dryRun: Bool) throws -> RunReport {
        var report = RunReport(dryRun: dryRun, observer: observer)
        let chosen = try choose(ids, for: "parked", dryRun: dryRun, report: &report)
        for license in chosen {
            guard report.stopped == nil else { break }
            let id = license.id
            if license.isParked && license.status == .suspended {
                report.add(.unchanged, licenseID: id, "license \(id) is already in the free pool")
            } else if dryRun {
                report.plan(
                    PlanItem(
                        .park, licenseID: id,
                        why: "suspend it, rename it \(License.parkedName) on \(License.parkedIP)"
                            + (try costNote(license))))
            } else {
                try park(license, report: &report)
            }
        }
        return report
    }

    /// Deletes the named licenses on the remote, up to `Parallel` at once, each step journaled
    /// before it is sent. A deleted license is reported as such and nothing is sent for it; a
    /// license that serves a service or is unknown fails as bad input and the others go on.
    public func deleteLicenses(_ ids: [Int], dryRun: Bool) throws -> RunReport {
        var report = RunReport(dryRun: dryRun, observer: observer)
        let chosen = try choose(ids, for: "deleted", dryRun: dryRun, report: &report)
        var changes: [PlannedChange] = []
        for license in chosen {
            let id = license.id
            if !license.isLive {
                report.add(
                    .unchanged, licenseID: id, "license \(id) is already \(Self.goneOrDeleted(license)); nothing sent")
                continue
            }
            let what = "license \(id) (\(license.name) on \(license.ip), tariff \(license.pricelist))"
            if dryRun {
                let paid = license.expires.map { "the time paid until \($0) is lost" }
                report.plan(PlanItem(.delete(described: what + (try costNote(license))), licenseID: id, why: paid))
                continue
            }
            let removal = step(.delete, at: .delete, service: nil, license: id, "delete license \(id)")
            var deleted = license
            deleted.status = .deleted
            changes.append(
                PlannedChange(
                    planned: PlannedStep(step: removal, call: .delete(license: id, line: license.line)),
                    changed: deleted, action: .deleted, detail: "deleted \(what)"))
        }
        try apply(changes, report: &report)
        return report
    }

    /// The licenses `ids` name that a person may park or delete, as the remote shows them now,
    /// once each; the rest are reported. Reading the account first settles what an earlier run
    /// left in doubt, so a delete whose answer was lost is seen done, not sent again.
    private func choose(_ ids: [Int], for done: String, dryRun: Bool, report: inout RunReport) throws -> [License] {
        let listing = try readAccount(dryRun: dryRun, report: &report)
        guard report.stopped == nil else { return [] }
        let wanted = Set(ids)
        var listed: [Int: License] = [:]
        for license in listing where wanted.contains(license.id) { listed[license.id] = license }
        let busy = try busyLicenses()
        var seen = Set<Int>()
        var chosen: [License] = []
        for id in ids where seen.insert(id).inserted {
            let known = try store.license(id)
            guard var license = listed[id] ?? known else {
                report.reject(licenseID: id, InputError.unknownLicense(String(id)).description)
                continue
            }
            if listed[id] == nil { license.gone = true }
            license.serviceID = known?.serviceID
            license.addon = known?.addon
            if let service = license.serviceID {
                let closed = try self.service(service)?.status == .closed
                report.reject(
                    serviceID: service, licenseID: id,
                    "license \(id) serves service \(service): only an unused license may be \(done); "
                        + (closed
                            ? "the service is closed, and the next checkevent (or 'licmgr service close \(service) "
                                + "--now') lets its license go"
                            : "'licmgr service close \(service)' lets it go with its service"))
                continue
            }
            if busy.contains(id) {
                report.add(
                    .inDoubt, licenseID: id,
                    "license \(id) has a step in doubt or a workflow under way; a later run settles it, then try again")
                continue
            }
            // Deleting what is already deleted is done; parking it is impossible.
            if !license.isLive && done != "deleted" {
                report.reject(
                    licenseID: id, "license \(id) is \(Self.goneOrDeleted(license)); it cannot be \(done)")
                continue
            }
            chosen.append(license)
        }
        return chosen
    }

    private static func goneOrDeleted(_ license: License) -> String {
        license.gone ? "gone from the remote" : "deleted"
    }

    /// ", 12.00 EUR a month" when the catalogue knows what the license costs.
    private func costNote(_ license: License) throws -> String {
        guard let cost = UnusedLicenses.monthlyCost(of: license, try catalogue()) else { return "" }
        return " (\(Money.format(cost.amount)) \(cost.currency) a month)"
    }
}

extension RunReport {
    /// An id a person named that the command may not act on (unknown, or serving a service):
    /// failed before anything was sent, as bad input (65).
    mutating func reject(serviceID: Int? = nil, licenseID: Int, _ detail: String) {
        append(Item(action: .failed, serviceID: serviceID, licenseID: licenseID, detail: detail, code: .dataError))
    }
}
