extension LicenseEngine {
    /// Resolves every journaled step whose answer never came, by what the remote list shows.
    /// Runs before anything else in a run that changes the remote.
    func settle(listing: [License], report: inout RunReport) throws {
        for operation in try store.operations(state: .pending) {
            switch operation.kind {
            case .order:
                try settleOrder(operation, listing: listing, report: &report)
            case .renew, .changeTariff:
                try settleByView(operation, report: &report)
            case .suspend, .resume, .delete, .edit, .newKey:
                // A change that timed out, or whose answer was abandoned, may still be at work on a
                // slow remote and land after whatever the license is changed to next (a rename after
                // its parking, say), or
                // after the view that reads back a new key, which no list shows: the license waits
                // as for an order. One whose run was killed reached the remote whole or not at all.
                if Self.leftUnanswered(operation.result), mayStillBeInFlight(operation) {
                    wait(
                        for: operation, "the \(operation.kind.rawValue) of license \(operation.licenseID ?? 0)",
                        report: &report)
                    continue
                }
                // No list shows a key: the one the license has now, new or not, is read back
                // before the step is closed; one that cannot be read now waits for the next run.
                if operation.kind == .newKey, let id = operation.licenseID, try !readBackKey(of: id, report: &report) {
                    continue
                }
                // Undoing or redoing these spends nothing: the known state is refreshed from the
                // list, and following the service does again whatever is still needed.
                try store.transaction {
                    try store.finish(
                        operation: operation.key, state: .void, licenseID: nil,
                        result: "settled: re-checked against the remote list", at: time.timestamp)
                    try record(
                        "settle \(operation.kind.rawValue)", result: "void", service: operation.serviceID,
                        license: operation.licenseID, "the step in doubt (\(operation.key)) is re-checked")
                }
                log(settled: operation, license: nil, applied: false, "re-checked against the remote list")
            }
        }
    }

    /// Reads license `id` back and records its key; false when it cannot be read now. A
    /// license the remote no longer has has no key to read.
    private func readBackKey(of id: Int, report: inout RunReport) throws -> Bool {
        guard var known = try store.license(id) else { return true }
        let viewed: License
        do {
            viewed = try server.viewLicense(id, line: known.line)
        } catch {
            if Self.saysNoSuchLicense(error) { return true }
            report.warn("license \(id): its key could not be read back (\(error)); the next run reads it")
            return false
        }
        known.key = viewed.key ?? known.key
        known.keyChanged = viewed.keyChanged ?? known.keyChanged
        try store.transaction { try store.save(known, at: time.timestamp) }
        return true
    }

    /// A renewal in doubt happened if the expiry moved past where it was; a tariff change
    /// if the license now has the new tariff. Only a view of the license tells.
    private func settleByView(_ operation: RemoteOperation, report: inout RunReport) throws {
        guard let id = operation.licenseID else { return }
        let line = try store.license(id)?.line ?? .soft
        let viewed: License
        do {
            viewed = try server.viewLicense(id, line: line)
        } catch {
            guard case .refused(_, _, _, let message, _) = error, Self.saysNoSuchLicense(error) else { throw error }
            // The license cannot be read any more (deleted, say): nothing is left to settle.
            try store.transaction {
                try store.finish(
                    operation: operation.key, state: .void, licenseID: id,
                    result: "settled: the license cannot be read: \(message)", at: time.timestamp)
                try record(
                    "settle \(operation.kind.rawValue)", result: "void", service: operation.serviceID, license: id,
                    "the step in doubt (\(operation.key)) cannot be checked: \(message)")
            }
            log(settled: operation, license: id, applied: false, "the license cannot be read: \(message)")
            report.add(
                .settled, serviceID: operation.serviceID, licenseID: id,
                "the step in doubt on license \(id) was dropped: \(message)")
            return
        }
        let applied: Bool
        if operation.kind == .renew {
            let before = operation.params["expires_before"].flatMap(Day.init)
            applied = viewed.expires != nil && (before == nil || viewed.expires! > before!)
        } else {
            applied = operation.params["pricelist"] == String(viewed.pricelist)
        }
        let what = operation.kind == .renew ? "renewal" : "tariff change"
        if !applied && mayStillBeInFlight(operation) {
            wait(for: operation, "the \(what) of license \(id)", report: &report)
            return
        }
        var license = viewed
        if let known = try store.license(id) {
            license.serviceID = known.serviceID
            license.addon = known.addon
            if viewed.statusUnsaid { license.status = known.status }
        }
        try store.transaction {
            try store.save(license, at: time.timestamp)
            if applied, operation.kind == .renew, let period = operation.params["period"].flatMap({ Int($0) }),
                let day = Day(String(operation.createdAt.prefix(10)))
            {
                // A renewal found applied counts as the license's renewal for its term.
                try store.setRenewedUntil(
                    try termEnd(from: day, period: period, tariff: license.pricelist), license: id)
            }
            try store.finish(
                operation: operation.key, state: applied ? .done : .void, licenseID: id,
                result: applied ? "settled: applied on the remote" : "settled: not applied", at: time.timestamp)
            try record(
                "settle \(operation.kind.rawValue)", result: applied ? "ok" : "void", service: operation.serviceID,
                license: id, "the \(what) in doubt (\(operation.key)) was \(applied ? "" : "not ")applied")
        }
        log(settled: operation, license: id, applied: applied, applied ? "applied on the remote" : "not applied")
        report.add(
            .settled, serviceID: operation.serviceID, licenseID: id,
            "the \(what) in doubt of license \(id) was \(applied ? "" : "not ")applied",
            charge: applied ? try spending(operation, tariff: license.pricelist) : nil)
    }

    /// What a step in doubt that settling found applied spent, by the cost journaled with it.
    private func spending(_ operation: RemoteOperation, tariff: Int) throws -> RunReport.Charge {
        RunReport.Charge(
            amount: operation.params["cost"].flatMap { Int($0) }, currency: try catalogue().tariffs[tariff]?.currency)
    }

    /// An order in doubt made a license if the list shows one carrying its key, or failing
    /// that (a remote that drops `remoteid`) one with its name and IP that serves nothing.
    private func settleOrder(_ operation: RemoteOperation, listing: [License], report: inout RunReport) throws {
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
                if let period = operation.params["period"].flatMap({ Int($0) }),
                    let day = Day(String(operation.createdAt.prefix(10)))
                {
                    try store.setRenewedUntil(
                        try termEnd(from: day, period: period, tariff: license.pricelist), license: license.id)
                }
                try store.finish(
                    operation: operation.key, state: .done, licenseID: license.id,
                    result: "settled: license \(license.id) is on the remote", at: at)
                try record(
                    "settle order", result: "ok", service: operation.serviceID, license: license.id,
                    "the order in doubt (\(operation.key)) made license \(license.id)")
            }
            log(settled: operation, license: license.id, applied: true, "license \(license.id) is on the remote")
            report.add(
                .settled, serviceID: operation.serviceID, addon: operation.addon, licenseID: license.id,
                "the order in doubt for service \(operation.serviceID.map(String.init) ?? "?") made license \(license.id)",
                charge: try spending(operation, tariff: license.pricelist))
        } else if mayStillBeInFlight(operation) {
            wait(
                for: operation, "the order for service \(operation.serviceID.map(String.init) ?? "?")", report: &report)
        } else {
            try store.transaction {
                try store.finish(
                    operation: operation.key, state: .void, licenseID: nil,
                    result: "settled: no such license on the remote", at: at)
                try record(
                    "settle order", result: "void", service: operation.serviceID, license: nil,
                    "the order in doubt (\(operation.key)) made no license; it may be placed again")
            }
            log(settled: operation, license: nil, applied: false, "no such license on the remote")
            report.add(
                .settled, serviceID: operation.serviceID, addon: operation.addon,
                "the order in doubt for service \(operation.serviceID.map(String.init) ?? "?") made no license")
        }
    }
}
