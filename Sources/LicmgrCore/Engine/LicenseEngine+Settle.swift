extension LicenseEngine {
    /// Resolves every journaled step whose answer never came, by what the remote list shows.
    /// Runs before anything else in a run that changes the remote.
    func settle(listing: inout [License], report: inout RunReport) throws {
        for operation in try store.operations(state: .pending) {
            switch operation.kind {
            case .order:
                try settleOrder(operation, listing: listing, report: &report)
            default:
                report.warnings.append(
                    "operation \(operation.key) (\(operation.kind.rawValue)) is in doubt; this version cannot settle it")
            }
        }
    }

    /// An order in doubt made a license if the list shows one carrying its key, or failing
    /// that (a remote that drops `remoteid`) one with its name and IP that serves nothing.
    private func settleOrder(_ operation: Operation, listing: [License], report: inout RunReport) throws {
        let name = operation.params["licname"]
        let ip = operation.params["ip"]
        var found = listing.first { $0.remoteID == operation.key }
        if found == nil {
            for candidate in listing where candidate.isLive && candidate.name == name && candidate.ip == ip {
                if try store.license(candidate.id)?.serviceID == nil {
                    found = candidate
                    break
                }
            }
        }
        let at = time.timestamp
        if var license = found {
            license.serviceID = operation.serviceID
            license.addon = operation.addon
            try store.transaction {
                try store.save(license, at: at)
                try store.attach(license: license.id, to: operation.serviceID, addon: operation.addon)
                try store.finish(operation: operation.key, state: .done, licenseID: license.id,
                                 result: "settled: license \(license.id) is on the remote", at: at)
                try record("settle order", result: "ok", service: operation.serviceID, license: license.id,
                           "the order in doubt (\(operation.key)) made license \(license.id)")
            }
            report.add(.settled, serviceID: operation.serviceID, addon: operation.addon, licenseID: license.id,
                       "the order in doubt for service \(operation.serviceID.map(String.init) ?? "?") made license \(license.id)")
        } else {
            try store.transaction {
                try store.finish(operation: operation.key, state: .void, licenseID: nil,
                                 result: "settled: no such license on the remote", at: at)
                try record("settle order", result: "void", service: operation.serviceID, license: nil,
                           "the order in doubt (\(operation.key)) made no license; it may be placed again")
            }
            report.add(.settled, serviceID: operation.serviceID, addon: operation.addon,
                       "the order in doubt for service \(operation.serviceID.map(String.init) ?? "?") made no license")
        }
    }
}
