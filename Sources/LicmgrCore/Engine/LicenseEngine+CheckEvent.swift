extension LicenseEngine {
    /// The cron run: settle what is in doubt, note drift, carry service changes to the remote,
    /// serve active services that have no license, renew what is due, and finish licenses
    /// still being processed. One remote listing serves the whole run. A dry run reads the
    /// remote list and writes nothing, here or there.
    /// A step the remote refused for good is not sent again for an hour (`refusalBackOff`), so
    /// that cron does not mail the same refusal every five minutes.
    public func checkEvent(dryRun: Bool = false) throws -> RunReport {
        backsOff = true
        defer { backsOff = false }
        var report = RunReport(dryRun: dryRun, observer: observer)
        var listing = try readAccount(dryRun: dryRun, report: &report)
        if dryRun {
            for operation in try store.operations(state: .pending) {
                report.plan(
                    PlanItem(
                        .settle(kind: operation.kind.rawValue, key: operation.key), serviceID: operation.serviceID,
                        licenseID: operation.licenseID))
            }
        }
        guard report.stopped == nil else { return report }

        let followed = try followServices(nil, listing: listing, dryRun: dryRun, report: &report)
        let services = try self.services(includeClosed: false)
        report.note("read \(listing.count) remote license(s); \(services.count) service(s) recorded")
        let resolver = try resolver()
        var plan = ServePlan()
        plan.claimed = followed.claimed
        let index = try serveIndex(listing: listing)
        for service in services where service.status == .active {
            guard report.stopped == nil else {
                // No order follows to excuse a reuse that rolled back: it stays a failure.
                report.release()
                return report
            }
            try serve(
                service, resolver: resolver, listing: &listing, index: index, mode: ServeMode(dryRun: dryRun),
                plan: &plan, report: &report)
        }
        try place(plan, report: &report)
        guard report.stopped == nil else { return report }
        try renewLicenses(
            serviceIDs: nil, dueOnly: true, dryRun: dryRun, wouldServe: followed.served + plan.wouldServe,
            wouldRelease: followed.released,
            report: &report)
        guard report.stopped == nil, !dryRun else { return report }
        try finishProcessing(report: &report)
        guard report.stopped == nil else { return report }
        try readBalanceIfDue(report: &report)
        return report
    }

    /// Licenses just ordered may wait in status 1 or 5: read them, all at once, until they are
    /// done. An active license with no key known is not read here: `show` fetches its key.
    func finishProcessing(report: inout RunReport) throws {
        var waiting: [License] = []
        try forEachLicense(matching: LicenseFilter(attached: true, statuses: [.ordered, .processing])) { license in
            if license.isLive && license.serviceID != nil
                && (license.status == .ordered || license.status == .processing)
            {
                waiting.append(license)
            }
        }
        if waiting.count > readsPerRun {
            report.note(
                "\(waiting.count - readsPerRun) license(s) still being processed are read by later runs")
            waiting = Array(waiting.prefix(readsPerRun))
        }
        let known = Dictionary(waiting.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for viewed in try refresh(waiting, report: &report) {
            guard let license = known[viewed.id] else { continue }
            if viewed.status != license.status || viewed.key != license.key {
                report.add(
                    .refreshed, serviceID: license.serviceID, licenseID: license.id,
                    "license \(license.id) is \(viewed.status.name)\(viewed.key.map { _ in " with its key" } ?? "")")
            }
        }
    }

    /// What changed on the remote behind licmgr's back since it last looked: reported, and
    /// recorded in history; following the service then puts right what it should.
    func noteDrift(_ listing: [License], known recorded: KnownLicenses, report: inout RunReport) throws {
        // Positions, not copies: at 100,000 licenses each copy of the listing weighs tens of MB.
        // Each listing license's place among the recorded, and the first listing position of
        // each recorded one: arrays, not a table by id, which at that size no cache holds.
        let places = recorded.positions(of: listing)
        var listed = [Int32](repeating: -1, count: recorded.count)
        for (index, place) in places.enumerated() where place >= 0 && listed[Int(place)] < 0 {
            listed[Int(place)] = Int32(index)
        }
        let at = time.timestamp
        // One transaction for the whole pass: a takeover notes every license at once.
        try store.transaction {
            for id in recorded.keys.sorted() {
                guard let place = recorded.position(of: id) else { continue }
                let known = recorded.values[place]
                guard !known.gone else { continue }
                guard listed[place] >= 0 else {
                    try store.markGone(license: known.id, at: at)
                    try record(
                        "drift", result: "gone", service: known.serviceID, license: known.id,
                        "license \(known.id) is no longer on the remote list")
                    report.add(
                        .gone, serviceID: known.serviceID, licenseID: known.id,
                        "license \(known.id) is no longer on the remote list")
                    continue
                }
                let now = listing[Int(listed[place])]
                var changes: [String] = []
                if now.status != known.status { changes.append("status \(known.status.name) -> \(now.status.name)") }
                if now.ip != known.ip { changes.append("IP \(known.ip) -> \(now.ip)") }
                if now.pricelist != known.pricelist { changes.append("tariff \(known.pricelist) -> \(now.pricelist)") }
                // Expiry moves by renewal, and statuses 1 and 5 turn into 2 by themselves: not drift.
                let settling = (known.status == .ordered || known.status == .processing) && now.status == .active
                guard !changes.isEmpty, !settling else { continue }
                let detail = "license \(known.id) changed on the remote: " + changes.joined(separator: ", ")
                try record("drift", result: "changed", service: known.serviceID, license: known.id, detail)
                report.add(.drifted, serviceID: known.serviceID, licenseID: known.id, detail)
            }
            for (license, place) in zip(listing, places) where place < 0 && license.isLive {
                let detail =
                    "license \(license.id) (\(license.name), \(license.ip), tariff \(license.pricelist)) is on the account but unknown here"
                try record("drift", result: "unknown", service: nil, license: license.id, detail)
                report.add(.discovered, licenseID: license.id, detail)
            }
        }
    }
}
