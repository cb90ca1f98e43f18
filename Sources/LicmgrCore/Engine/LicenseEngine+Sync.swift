extension LicenseEngine {
    /// Refreshes the known remote state from one full listing, settling doubts first.
    public func sync() throws -> RunReport {
        var report = RunReport()
        var listing = try server.listLicenses()
        try settle(listing: &listing, report: &report)
        let at = time.timestamp
        let remoteIDs = Set(listing.map(\.id))
        try store.transaction {
            for remote in listing {
                var license = remote
                if let known = try store.license(remote.id) {
                    license.serviceID = known.serviceID
                    license.addon = known.addon
                    if known.isLive && !license.isLive {
                        report.warnings.append("license \(remote.id) is now \(license.status.name) on the remote")
                    }
                    if !known.sameRemoteState(as: license) {
                        report.add(.refreshed, serviceID: known.serviceID, licenseID: remote.id,
                                   "license \(remote.id) changed on the remote")
                    }
                } else {
                    report.add(.discovered, licenseID: remote.id,
                               "license \(remote.id) (\(remote.name), \(remote.ip)) seen for the first time")
                }
                try store.save(license, at: at)
            }
            for known in try store.allLicenses() where !known.gone && !remoteIDs.contains(known.id) {
                try store.markGone(license: known.id, at: at)
                try record("drift", result: "gone", service: known.serviceID, license: known.id,
                           "license \(known.id) is no longer on the remote list")
                report.add(.gone, serviceID: known.serviceID, licenseID: known.id,
                           "license \(known.id) is no longer on the remote list")
            }
        }
        return report
    }
}
