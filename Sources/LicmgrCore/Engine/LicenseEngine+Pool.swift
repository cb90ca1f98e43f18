extension LicenseEngine {
    /// Whether closing this service parks its license instead of deleting it, and ordering
    /// for it looks in the pool first.
    func reusesLicenses(of service: Service) -> Bool {
        guard config.has(.reUseLicense), let package = service.package else { return false }
        return config.reusePackages.contains(package)
    }

    /// A free license of `tariff` that the pool rule allows and no service holds. Reads each
    /// candidate's change dates, which only a view reports.
    func poolCandidate(tariff: Int, listing: [License]) throws -> License? {
        let today = time.today
        for candidate in listing where candidate.isParked && candidate.pricelist == tariff && candidate.isLive {
            if try store.license(candidate.id)?.serviceID != nil { continue }
            guard let expires = candidate.expires, expires > today else { continue }
            let viewed = try server.viewLicense(candidate.id, line: candidate.line)
            if FreePool.allows(viewed, today: today) { return viewed }
        }
        return nil
    }

    /// Takes a free license for `service`: attach, rename and move it, new key, then resume.
    /// A refused step puts it back in the pool and returns false, so a new one can be ordered.
    func reuse(_ free: License, for service: Service, need: Need, report: inout RunReport) throws -> Bool {
        var license = try attach(
            free, to: service, addon: need.addon, action: "reuse",
            "taking free license \(free.id) (tariff \(free.pricelist)) for service \(service.id)")
        let moved = step(
            .edit, service: service.id, addon: need.addon, license: license.id,
            params: ["licname": service.licenseName(), "ip": service.ip],
            "rename free license \(license.id) for service \(service.id)")
        var renamedLicense = license
        renamedLicense.name = service.licenseName()
        renamedLicense.ip = service.ip
        let renamed = try apply(
            moved, to: renamedLicense, reportAs: nil,
            "license \(license.id) renamed '\(renamedLicense.name)' on \(renamedLicense.ip)",
            report: &report
        ) { () throws(RemoteError) in
            try server.edit(license: license.id, line: license.line, name: service.licenseName(), ip: service.ip)
        }
        if renamed {
            license = renamedLicense
            let rekey = step(
                .newKey, service: service.id, addon: need.addon, license: license.id,
                "new key for license \(license.id)")
            if let key = try send(
                rekey, report: &report,
                { () throws(RemoteError) in try server.newKey(license: license.id, line: license.line) })
            {
                license.key = key ?? license.key
                try store.transaction {
                    try store.save(license, at: time.timestamp)
                    try complete(rekey, "license \(license.id) has a new key")
                }
                let awake = license.status == .suspended ? try resume(license, service: service, report: &report) : true
                if awake {
                    report.add(
                        .reused, serviceID: service.id, addon: need.addon, licenseID: license.id,
                        "reused free license \(license.id) for service \(service.id)")
                    return true
                }
            }
        }
        // An answer in doubt leaves the license attached: the next run settles and finishes it.
        guard report.stopped == nil else { return false }
        try park(license, report: &report)
        report.warnings.append("free license \(license.id) could not be reused and went back to the pool")
        return false
    }

    /// Suspends the license, renames it `free.lic` on `0.0.0.0` and frees it from its service.
    func park(_ license: License, report: inout RunReport) throws {
        var parked = license
        if parked.status == .active || parked.status == .processing || parked.status == .ordered {
            parked.status = .suspended
            let hold = step(
                .suspend, service: license.serviceID, addon: license.addon, license: license.id,
                "suspend license \(license.id) to park it")
            guard
                try apply(
                    hold, to: parked, reportAs: nil, "license \(license.id) suspended", report: &report,
                    {
                        () throws(RemoteError) in try server.suspend(license: license.id, line: license.line)
                    })
            else { return }
        }
        if !parked.isParked {
            parked.name = License.parkedName
            parked.ip = License.parkedIP
            let rename = step(
                .edit, service: license.serviceID, addon: license.addon, license: license.id,
                params: ["licname": License.parkedName, "ip": License.parkedIP],
                "park license \(license.id) as \(License.parkedName)")
            guard
                try apply(
                    rename, to: parked, reportAs: nil,
                    "license \(license.id) renamed \(License.parkedName) on \(License.parkedIP)", report: &report,
                    { () throws(RemoteError) in
                        try server.edit(
                            license: license.id, line: license.line, name: License.parkedName, ip: License.parkedIP)
                    })
            else { return }
        }
        try store.transaction {
            try store.attach(license: license.id, to: nil, addon: nil)
            try record(
                "park", result: "ok", service: license.serviceID, license: license.id,
                "license \(license.id) is in the free pool")
        }
        report.add(
            .parked, serviceID: license.serviceID, addon: license.addon, licenseID: license.id,
            "parked license \(license.id) in the free pool")
    }

    /// Resumes a suspended license, renewing it first if it lapsed meanwhile.
    func resume(_ license: License, service: Service, report: inout RunReport) throws -> Bool {
        var current = license
        if let expires = current.expires, expires <= time.today {
            let period = try resolver().period(local: service.period, tariff: current.pricelist)
            guard try renewOne(current, period: period, report: &report) else { return false }
            current = refresh(current.id, report: &report) ?? current
            if current.status != .suspended { return true }
        }
        let wake = step(
            .resume, service: service.id, addon: current.addon, license: current.id,
            "resume license \(current.id)")
        current.status = .active
        return try apply(wake, to: current, reportAs: nil, "license \(current.id) resumed", report: &report) {
            () throws(RemoteError) in try server.resume(license: current.id, line: current.line)
        }
    }
}

extension LicenseEngine {
    /// Regenerates a license's key.
    public func newKey(license id: Int, dryRun: Bool) throws -> RunReport {
        guard let license = try store.license(id), license.isLive else { throw InputError.unknownLicense(String(id)) }
        var report = RunReport(dryRun: dryRun)
        if dryRun {
            report.add(.planned, serviceID: license.serviceID, licenseID: id, "would make a new key for license \(id)")
            return report
        }
        let rekey = step(
            .newKey, service: license.serviceID, addon: license.addon, license: id, "new key for license \(id)")
        guard
            let key = try send(
                rekey, report: &report, { () throws(RemoteError) in try server.newKey(license: id, line: license.line) }
            )
        else {
            return report
        }
        var updated = license
        updated.key = key
        if key == nil { updated = refresh(id, report: &report) ?? updated }
        try store.transaction {
            try store.save(updated, at: time.timestamp)
            try complete(rekey, "license \(id) has a new key")
        }
        report.add(
            .edited, serviceID: license.serviceID, addon: license.addon, licenseID: id,
            "license \(id) has a new key: \(updated.key ?? "(not yet issued)")")
        return report
    }
}
