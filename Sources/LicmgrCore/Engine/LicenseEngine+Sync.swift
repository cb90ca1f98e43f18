extension LicenseEngine {
    /// Refreshes the known remote state from one full listing, settling doubts first and
    /// noting what changed behind licmgr's back.
    public func sync() throws -> RunReport {
        var report = RunReport()
        _ = try readAccount(dryRun: false, finishing: false, report: &report)
        return report
    }

    /// The start of every run that refreshes the known state: one read of the account, then
    /// settle what is in doubt, record what changed behind licmgr's back, store what the
    /// remote says and, `finishing`, carry on the workflows an earlier run left open. A dry run
    /// only reads.
    func readAccount(dryRun: Bool, finishing: Bool = true, report: inout RunReport) throws -> [License] {
        let listing = try remoteListing()
        try confirmMissing(from: listing)
        guard !dryRun else { return listing }
        try settle(listing: listing, report: &report)
        try noteDrift(listing, report: &report)
        try refreshKnown(from: listing)
        if finishing { try finishWorkflows(report: &report) }
        return listing
    }

    /// More live licenses missing from one listing than this are each viewed before any is
    /// believed gone: a listing that lies about many at once would otherwise buy them all again.
    static let missingBelievedUpTo = 3

    /// The second line of defence behind the client's whole-listing check: when many live
    /// licenses vanish at once, each is viewed, and one the remote still shows makes the whole
    /// listing a failed read.
    func confirmMissing(from listing: [License]) throws {
        let listed = Set(listing.map(\.id))
        let missing = try store.allLicenses().filter { $0.isLive && !listed.contains($0.id) }
        guard missing.count > Self.missingBelievedUpTo else { return }
        var stillThere: (License, License)?
        try server.perform(missing.map { .view(license: $0.id, line: $0.line) }, parallel: config.parallel) {
            index, answer in
            switch answer {
            case .success(.license(let viewed)) where viewed.status.isLive:
                if stillThere == nil { stillThere = (missing[index], viewed) }
            case .success, .failure(.refused): break
            case .failure(let error): throw error
            }
        }
        if let (license, viewed) = stillThere {
            throw RemoteError.incompleteListing(
                function: license.line.function("soft"),
                detail:
                    "\(missing.count) known licenses are missing from it, yet license \(license.id) is still there (\(viewed.status.name))"
            )
        }
    }
}
