extension LicenseEngine {
    /// Refreshes the known remote state from one full listing, settling doubts first and
    /// noting what changed behind licmgr's back.
    public func sync() throws -> RunReport {
        var report = RunReport()
        _ = try readAccount(dryRun: false, report: &report)
        return report
    }

    /// The start of every run that refreshes the known state: one read of the account, then
    /// settle what is in doubt, record what changed behind licmgr's back, and store what the
    /// remote says. A dry run only reads.
    func readAccount(dryRun: Bool, report: inout RunReport) throws -> [License] {
        let listing = try remoteListing()
        guard !dryRun else { return listing }
        try settle(listing: listing, report: &report)
        try noteDrift(listing, report: &report)
        try refreshKnown(from: listing)
        return listing
    }
}
