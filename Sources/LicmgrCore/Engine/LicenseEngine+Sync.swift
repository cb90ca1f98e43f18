extension LicenseEngine {
    /// Refreshes the known remote state from one full listing, settling doubts first and
    /// noting what changed behind licmgr's back, and views the licenses of the free pool.
    public func sync() throws -> RunReport {
        var report = RunReport(observer: observer)
        let listing = try readAccount(dryRun: false, finishing: false, report: &report)
        // The change dates come from a view unless the list carries them: read them for the
        // free pool, so that `list --free` can say when each becomes reusable.
        try refresh(
            listing.filter { $0.isLive && $0.isParked && ($0.ipChanged == nil || $0.keyChanged == nil) },
            report: &report)
        return report
    }

    /// The start of every run that refreshes the known state: one read of the account, then
    /// settle what is in doubt, record what changed behind licmgr's back, store what the
    /// remote says and, `finishing`, carry on the workflows an earlier run left open. A dry run
    /// only reads.
    func readAccount(dryRun: Bool, finishing: Bool = true, report: inout RunReport) throws -> [License] {
        // One read of what licmgr knows serves the whole start of the run; settling changes it,
        // so it is read again only after settling had something to do.
        var known = try knownLicenses()
        let listing = try remoteListing(known: known)
        // A listing proven whole by a second read, not by p_elems, has every missing license viewed.
        let oddities = server.pagingOddities
        try confirmMissing(from: listing, known: known, believedUpTo: oddities.isEmpty ? Self.missingBelievedUpTo : 0)
        try notePaging(oddities, dryRun: dryRun, report: &report)
        report.currency = try catalogue().currency
        if dryRun {
            if let scratch {
                store = try scratch()
                // Told by the run that follows, not by its plan.
                var untold = RunReport(dryRun: true)
                try noteDrift(listing, known: known, report: &untold)
                try refreshKnown(from: listing, known: known)
            }
            return listing
        }
        let settling = try !store.operations(state: .pending).isEmpty
        try settle(listing: listing, report: &report)
        if settling { known = try knownLicenses() }
        try noteDrift(listing, known: known, report: &report)
        try refreshKnown(from: listing, known: known)
        if finishing { try finishWorkflows(report: &report) }
        // A takeover has written every license by now: what was read is let go here, not
        // held through serving until a pass asks.
        try forgetStaleReads()
        return listing
    }

    /// More live licenses missing from one listing than this are each viewed before any is
    /// believed gone: a listing that lies about many at once would otherwise buy them all again.
    static let missingBelievedUpTo = 3

    /// The second line of defence behind the client's whole-listing check: when many live
    /// licenses vanish at once, or any that serves a service, each is viewed, and one the remote
    /// still shows makes the whole listing a failed read. A serving license believed gone gets
    /// its service served again, and if the service has moved to another IP meanwhile, nothing
    /// on the remote stops a second license being bought there.
    func confirmMissing(from listing: [License], known: KnownLicenses, believedUpTo: Int) throws {
        // Marks by place in `known`, not a set of 100,000 ids: see `KnownLicenses.position(of:)`.
        var listed = [Bool](repeating: false, count: known.count)
        for place in known.positions(of: listing) where place >= 0 { listed[Int(place)] = true }
        let missing = known.values.indices.filter { known.values[$0].isLive && !listed[$0] }.map { known.values[$0] }
            .sorted { $0.id < $1.id }
        let unseen = missing.count > believedUpTo ? missing : missing.filter { $0.serviceID != nil }
        guard !unseen.isEmpty else { return }
        var stillThere: (License, License)?
        try server.perform(unseen.map { .view(license: $0.id, line: $0.line) }, parallel: config.parallel) {
            index, answer in
            switch answer {
            case .success(.license(let viewed)) where viewed.status.isLive:
                if stillThere == nil { stillThere = (unseen[index], viewed) }
            case .success: break
            case .failure(let error) where Self.saysNoSuchLicense(error): break
            case .failure(let error): throw error
            }
        }
        if let (license, viewed) = stillThere {
            throw RemoteError.incompleteListing(
                function: license.line.function("soft"),
                detail:
                    "\(missing.count) known licenses are missing from it, yet license \(license.id) is still there (\(viewed.statusUnsaid ? "its view says no status" : viewed.status.name))"
            )
        }
    }

    /// Whether a refused view says the license is not there: a refusal of the `elid` the view
    /// named, or of type `missed`. Any other refusal says nothing about the license, and taking
    /// it for gone would serve its service again.
    static func saysNoSuchLicense(_ error: RemoteError) -> Bool {
        guard case .refused(_, let type, let object, _, _) = error else { return false }
        return type == "missed" || object == "elid"
    }

    /// Says once what is odd about the remote's paging, and again only when it changes: cron
    /// mails what a run prints, and a remote that always pages so would mail every five minutes.
    /// A family whose p_elems adds up again is forgotten, so that a relapse is said.
    func notePaging(_ oddities: [PagingOddity], dryRun: Bool, report: inout RunReport) throws {
        let said = try store.remoteNotes()
        for oddity in oddities where said["paging:\(oddity.function)"] != oddity.summary {
            report.warn(oddity.description)
            if !dryRun {
                try store.setRemoteNote(oddity.summary, topic: "paging:\(oddity.function)", at: time.timestamp)
            }
        }
        guard !dryRun else { return }
        let odd = Set(oddities.map(\.function))
        for line in listedLines
        where !odd.contains(line.function("soft")) && said["paging:\(line.function("soft"))"] != nil {
            try store.setRemoteNote(nil, topic: "paging:\(line.function("soft"))", at: time.timestamp)
        }
    }
}
