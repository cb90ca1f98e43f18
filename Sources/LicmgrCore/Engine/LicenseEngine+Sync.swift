extension LicenseEngine {
    /// Refreshes the known remote state from one full listing, settling doubts first and
    /// noting what changed behind licmgr's back.
    public func sync() throws -> RunReport {
        var report = RunReport()
        let listing = try remoteListing()
        try settle(listing: listing, report: &report)
        try noteDrift(listing, report: &report)
        try refreshKnown(from: listing)
        return report
    }
}
