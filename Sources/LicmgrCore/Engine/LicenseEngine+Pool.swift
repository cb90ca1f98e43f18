extension LicenseEngine {
    /// Whether closing this service parks its license instead of deleting it, and ordering
    /// for it looks in the pool first.
    func reusesLicenses(of service: Service) -> Bool { poolUnused(by: service) == nil }

    /// Why the config keeps this service out of the free pool, or nil when it may use it.
    func poolUnused(by service: Service) -> String? {
        guard config.has(.reUseLicense) else { return "Option ReUseLicense is off" }
        guard let package = service.package else { return "service \(service.id) has no package for a ReusePrice line" }
        guard config.reusePackages.contains(package) else { return "package \(package) is not in a ReusePrice line" }
        return nil
    }

    /// What the free pool holds for a need.
    enum PoolOffer {
        case free(License)
        /// Nothing to take, and why: said in dry runs and under `-v` when a license is bought instead.
        case none(String)
    }

    /// A free license of `tariff` that the pool rule allows and no service holds, else why
    /// there is none. Reads each candidate's change dates from the list when it carries them,
    /// else by a view, and unless `dryRun` keeps them for `list --free`; one whose recorded
    /// dates already rule it out is not viewed.
    /// `claimed`: licenses a dry run has already given to another need, which the run will
    /// have taken by then.
    func poolOffer(tariff: Int, listing: [License], dryRun: Bool, claimed: Set<Int> = []) throws -> PoolOffer {
        let today = time.today
        var parked = 0
        var soonest: (license: License, day: Day)?
        var never: (license: License, why: String)?
        for candidate in listing where candidate.isParked && candidate.pricelist == tariff && candidate.isLive {
            parked += 1
            let known = try store.license(candidate.id)
            if known?.serviceID != nil || claimed.contains(candidate.id) { continue }
            // Change dates only move forward: a rest the recorded ones say is not over is not
            // over on the remote either, so a run serving many needs views such a license once.
            if let known, case .from(let day) = FreePool.reusability(known, today: today) {
                if soonest.map({ day < $0.day }) ?? true { soonest = (candidate, day) }
                continue
            }
            if case .never(let why) = FreePool.reusability(candidate, today: today) {
                never = never ?? (candidate, why)
                continue
            }
            // A list that carries both change dates (BILLmanager 6) has told what a view would.
            let viewed: License
            if candidate.ipChanged != nil && candidate.keyChanged != nil {
                viewed = candidate
            } else {
                viewed = try server.viewLicense(candidate.id, line: candidate.line)
                if !dryRun { try keepChangeDates(of: viewed) }
            }
            switch FreePool.reusability(viewed, today: today) {
            case .now: return .free(viewed)
            case .from(let day): if soonest.map({ day < $0.day }) ?? true { soonest = (viewed, day) }
            case .never(let why): never = never ?? (viewed, why)
            }
        }
        if let (license, day) = soonest {
            return .none("free license \(license.id) of tariff \(tariff) is reusable from \(day)")
        }
        if let (license, why) = never {
            return .none("free license \(license.id) of tariff \(tariff) cannot be reused: \(why)")
        }
        if parked > 0 { return .none("the free licenses of tariff \(tariff) are taken by services") }
        return .none("no free license of tariff \(tariff)")
    }

    /// How a take from the pool whose report was held back ended.
    enum HeldTake {
        case served
        /// The run stopped: what the take reported is told.
        case stopped
        /// Given up: `excusable` are the items to turn into warnings if another step serves the
        /// need, none unless the license went cleanly back to the pool (a failed park stays a failure).
        case rolledBack(excusable: [Int])
    }

    /// Takes `free` for the need with what the take reports held back from the run's output,
    /// until it is known whether another step serves the need instead.
    func takeHeld(_ free: License, for service: Service, need: Need, replacing old: License?, report: inout RunReport)
        throws -> HeldTake
    {
        let (outcome, taken) = try report.holdingBack {
            try takeFromPool(free, for: service, need: need, replacing: old, report: &$0)
        }
        if case .rolledBack = outcome, report.stopped == nil {
            if let back = try store.license(free.id), back.serviceID == nil, back.isParked {
                return .rolledBack(excusable: Array(taken))
            }
            report.release(taken)
            return .rolledBack(excusable: [])
        }
        report.release(taken)
        return report.stopped == nil ? .served : .stopped
    }

    /// Stores the change dates a view of an unattached license reported, nothing else of it.
    private func keepChangeDates(of viewed: License) throws {
        guard var known = try store.license(viewed.id), known.serviceID == nil else { return }
        guard known.ipChanged != viewed.ipChanged || known.keyChanged != viewed.keyChanged else { return }
        known.ipChanged = viewed.ipChanged ?? known.ipChanged
        known.keyChanged = viewed.keyChanged ?? known.keyChanged
        try store.transaction { try store.save(known, at: time.timestamp) }
    }

    /// How far a workflow got in this run.
    enum WorkflowOutcome {
        case finished
        /// Given up: the license taken went back to the pool, and the need may be served otherwise.
        case rolledBack
        /// Cut off by a step in doubt or an outage: the next run carries it on.
        case waiting
    }

    /// Takes `free` for `service`, and with `old` lets that license go once the free one serves.
    /// Recorded as one workflow, with the license attached, before the first remote step.
    func takeFromPool(
        _ free: License, for service: Service, need: Need, replacing old: License?, report: inout RunReport
    )
        throws -> WorkflowOutcome
    {
        var workflow = try beginTake(
            free, for: service, addon: need.addon, replacing: old,
            "taking free license \(free.id) (tariff \(free.pricelist)) for service \(service.id)"
                + (old.map { " in place of license \($0.id)" } ?? ""))
        return try advance(&workflow, report: &report)
    }

    /// Records a take (`reuse`, or `upgrade` with `old`) with its license attached, in one
    /// transaction, before the first remote step; `marks` says what is done already.
    func beginTake(
        _ license: License, for service: Service, addon: String, replacing old: License?,
        marks: Set<Workflow.Mark> = [], _ detail: String
    ) throws -> Workflow {
        let workflow = Workflow(
            key: keys.next(), kind: old == nil ? .reuse : .upgrade, serviceID: service.id, addon: addon,
            licenseID: license.id, replacedID: old?.id, marks: marks, createdAt: time.timestamp)
        var attached = license
        attached.serviceID = service.id
        attached.addon = addon
        try store.transaction {
            try store.insert(workflow)
            try store.save(attached, at: time.timestamp)
            try store.attach(license: license.id, to: service.id, addon: addon)
            try record(
                workflow.kind.rawValue, result: "started", service: service.id, license: license.id,
                "\(detail) (\(workflow.key))")
        }
        return workflow
    }

    /// Puts `license` in the free pool: suspend, rename `free.lic` on `0.0.0.0`, then free it
    /// from its service, as one workflow.
    @discardableResult
    func park(_ license: License, report: inout RunReport) throws -> WorkflowOutcome {
        var workflow = parking(license)
        try store.transaction { try begin(workflow) }
        return try advance(&workflow, report: &report)
    }

    /// Parks licenses together, each as the workflow `park` records: all recorded first, then
    /// every suspend, then every rename, up to `Parallel` in flight. A park whose step fails
    /// stays open, and the next run carries it on, as with one parked alone.
    func parkAll(_ licenses: [License], report: inout RunReport) throws {
        var workflows = licenses.map(parking)
        for chunk in stride(from: 0, to: workflows.count, by: 500) {
            try store.transaction {
                for workflow in workflows[chunk..<min(chunk + 500, workflows.count)] { try begin(workflow) }
            }
        }
        var suspends: [PlannedChange] = []
        for license in licenses where license.status.isAwake {
            var suspended = license
            suspended.status = .suspended
            suspends.append(
                PlannedChange(
                    planned: parkSuspending(license), changed: suspended, action: nil,
                    detail: "license \(license.id) suspended"))
        }
        try apply(suspends, report: &report)
        var renames: [PlannedChange] = []
        for license in licenses {
            guard var parked = try store.license(license.id), parked.isLive, !parked.isParked,
                !parked.status.isAwake
            else { continue }
            parked.name = License.parkedName
            if parked.ip != License.parkedIP { parked.ipChanged = time.today }
            parked.ip = License.parkedIP
            renames.append(
                PlannedChange(
                    planned: parkRenaming(license),
                    changed: parked, action: nil,
                    detail: "license \(license.id) renamed \(License.parkedName) on \(License.parkedIP)"))
        }
        try apply(renames, report: &report)
        for index in workflows.indices {
            guard let license = try store.license(workflows[index].licenseID) else { continue }
            if !license.isLive {
                try closeWithoutLicense(&workflows[index], .done)
                continue
            }
            guard license.isParked, license.status == .suspended else { continue }
            try store.transaction {
                try store.attach(license: license.id, to: nil, addon: nil)
                try close(&workflows[index], .done, "license \(license.id) is in the free pool")
            }
            report.add(
                .parked, serviceID: workflows[index].serviceID, addon: workflows[index].addon, licenseID: license.id,
                "parked license \(license.id) in the free pool")
        }
    }

    /// A park's first step: the license stops serving its last owner.
    private func parkSuspending(_ license: License) -> PlannedStep {
        PlannedStep(
            step: step(
                .suspend, at: .parkSuspend, service: license.serviceID, addon: license.addon, license: license.id,
                "suspend license \(license.id) to park it"),
            call: .suspend(license: license.id, line: license.line))
    }

    /// A park's second step: the name and IP the vendor's pool rule gives a parked license.
    private func parkRenaming(_ license: License) -> PlannedStep {
        PlannedStep(
            step: step(
                .edit, at: .parkRename, service: license.serviceID, addon: license.addon, license: license.id,
                params: ["licname": License.parkedName, "ip": License.parkedIP],
                "park license \(license.id) as \(License.parkedName)"),
            call: .edit(license: license.id, line: license.line, name: License.parkedName, ip: License.parkedIP))
    }

    /// The park of `license`, not yet recorded.
    private func parking(_ license: License) -> Workflow {
        Workflow(
            key: keys.next(), kind: .park, serviceID: license.serviceID, addon: license.addon, licenseID: license.id,
            createdAt: time.timestamp)
    }

    /// Records that a park starts; call inside a transaction.
    private func begin(_ parking: Workflow) throws {
        try store.insert(parking)
        try record(
            "park", result: "started", service: parking.serviceID, license: parking.licenseID,
            "parking license \(parking.licenseID) (\(parking.key))")
    }

    /// Carries on every workflow an earlier run left open, from the steps it recorded and what
    /// the remote shows now. Runs after settling, before anything else may touch their licenses.
    func finishWorkflows(report: inout RunReport) throws {
        let inDoubt = Set(try store.operations(state: .pending).compactMap(\.licenseID))
        for var workflow in try store.openWorkflows() {
            guard report.stopped == nil else { return }
            // Settling has said why such a step still waits.
            if workflow.licenseIDs.contains(where: inDoubt.contains) { continue }
            report.note(
                "carrying on the \(workflow.kind.rawValue) of license \(workflow.licenseID) (\(workflow.key))")
            _ = try advance(&workflow, report: &report)
        }
    }

    /// Licenses that a step in doubt or an open workflow holds: nothing else may change them.
    func busyLicenses() throws -> Set<Int> {
        Set(try store.operations(state: .pending).compactMap(\.licenseID))
            .union(try store.openWorkflows().flatMap(\.licenseIDs))
    }

    /// Does whatever the workflow still lacks. Each step is idempotent or recorded as a mark, so
    /// running this again after any interruption neither repeats a paid step nor skips one.
    func advance(_ workflow: inout Workflow, report: inout RunReport) throws -> WorkflowOutcome {
        switch workflow.kind {
        case .park: return try advancePark(&workflow, report: &report)
        case .reuse, .upgrade: return try advanceTake(&workflow, report: &report)
        }
    }

    private func advanceTake(_ workflow: inout Workflow, report: inout RunReport) throws -> WorkflowOutcome {
        let id = workflow.licenseID
        guard var license = try store.license(id), license.isLive else {
            try closeWithoutLicense(&workflow, .rolledBack)
            return .rolledBack
        }
        guard let serviceID = workflow.serviceID, let service = try self.service(serviceID), service.status == .active
        else {
            return try rollBack(&workflow, license, "its service is no longer active", report: &report)
        }
        if !workflow.marks.contains(.taken) {
            let name = service.licenseName()
            if license.name != name || license.ip != service.ip {
                let moved = step(
                    .edit, at: .reuseRename, service: service.id, addon: workflow.addon, license: id,
                    params: ["licname": name, "ip": service.ip], "rename free license \(id) for service \(service.id)")
                var renamed = license
                renamed.name = name
                if renamed.ip != service.ip { renamed.ipChanged = time.today }
                renamed.ip = service.ip
                let done = try apply(
                    moved, to: renamed, reportAs: nil, "license \(id) renamed '\(name)' on \(service.ip)",
                    report: &report
                ) { () throws(RemoteError) in
                    try server.edit(license: id, line: license.line, name: name, ip: service.ip)
                }
                guard done else { return try interrupted(&workflow, license, "renaming it failed", report: &report) }
                license = renamed
            }
            if !workflow.marks.contains(.newKey) {
                let rekey = step(
                    .newKey, at: .reuseNewKey, service: service.id, addon: workflow.addon, license: id,
                    "new key for license \(id)")
                guard
                    let answered = try send(
                        rekey, report: &report,
                        { () throws(RemoteError) in try server.newKey(license: id, line: license.line) })
                else { return try interrupted(&workflow, license, "its new key failed", report: &report) }
                // An answer without the key is read back: the last owner's key must not stay recorded.
                guard let key = answered ?? (try? server.viewLicense(id, line: license.line))?.key else {
                    try store.transaction { try complete(rekey, "license \(id) has a new key, not read back") }
                    report.warn("license \(id) has a new key that could not be read back; the next run makes another")
                    return .waiting
                }
                license.key = key
                license.keyChanged = time.today
                workflow.marks.insert(.newKey)
                try store.transaction {
                    try store.save(license, at: time.timestamp)
                    try store.update(workflow, at: time.timestamp)
                    try complete(rekey, "license \(id) has a new key")
                }
            }
            if license.status == .suspended {
                guard try resume(license, service: service, report: &report) else {
                    return try interrupted(&workflow, license, "waking it failed", report: &report)
                }
            }
            workflow.marks.insert(.taken)
            try store.transaction { try store.update(workflow, at: time.timestamp) }
            report.add(
                .reused, serviceID: service.id, addon: workflow.addon, licenseID: id,
                "reused free license \(id) for service \(service.id)")
        }
        if let oldID = workflow.replacedID, let old = try store.license(oldID), old.isLive, old.serviceID == service.id
        {
            let released = try dispose(
                old, of: service, why: "replaced by license \(id) of tariff \(license.pricelist)", dryRun: false,
                report: &report)
            guard released else { return .waiting }
        }
        try store.transaction { try close(&workflow, .done, "license \(id) serves service \(service.id)") }
        return .finished
    }

    private func advancePark(_ workflow: inout Workflow, report: inout RunReport) throws -> WorkflowOutcome {
        let id = workflow.licenseID
        guard var parked = try store.license(id), parked.isLive else {
            try closeWithoutLicense(&workflow, .done)
            return .finished
        }
        let original = parked
        if parked.status.isAwake {
            parked.status = .suspended
            guard
                try apply(
                    parkSuspending(original).step, to: parked, reportAs: nil, "license \(id) suspended",
                    report: &report,
                    { () throws(RemoteError) in try server.suspend(license: id, line: original.line) })
            else { return .waiting }
        }
        if !parked.isParked {
            parked.name = License.parkedName
            // The pool's month of rest starts now: `list --free` tells from this when it ends.
            if parked.ip != License.parkedIP { parked.ipChanged = time.today }
            parked.ip = License.parkedIP
            guard
                try apply(
                    parkRenaming(original).step, to: parked, reportAs: nil,
                    "license \(id) renamed \(License.parkedName) on \(License.parkedIP)", report: &report,
                    { () throws(RemoteError) in
                        try server.edit(
                            license: id, line: original.line, name: License.parkedName, ip: License.parkedIP)
                    })
            else { return .waiting }
        }
        try store.transaction {
            try store.attach(license: id, to: nil, addon: nil)
            try close(&workflow, .done, "license \(id) is in the free pool")
        }
        report.add(
            .parked, serviceID: original.serviceID, addon: original.addon, licenseID: id,
            "parked license \(id) in the free pool")
        return .finished
    }

    /// A step of a take failed: in doubt or cut off, the workflow waits for the next run; refused,
    /// the license goes back to the pool.
    private func interrupted(_ workflow: inout Workflow, _ license: License, _ why: String, report: inout RunReport)
        throws -> WorkflowOutcome
    {
        guard report.stopped == nil else { return .waiting }
        return try rollBack(&workflow, license, why, report: &report)
    }

    private func rollBack(_ workflow: inout Workflow, _ license: License, _ why: String, report: inout RunReport)
        throws -> WorkflowOutcome
    {
        // One transaction: a run cut between the two would leave the license out of the pool,
        // with its last owner's key, and no workflow left to take it back.
        var back = parking(license)
        try store.transaction {
            try close(&workflow, .rolledBack, "given up: \(why)")
            try begin(back)
        }
        report.warn("free license \(license.id) could not be reused (\(why)) and goes back to the pool")
        _ = try advance(&back, report: &report)
        return .rolledBack
    }

    /// The workflow's license left the remote: nothing is left to do with it.
    private func closeWithoutLicense(_ workflow: inout Workflow, _ state: Workflow.State) throws {
        try store.transaction {
            try store.attach(license: workflow.licenseID, to: nil, addon: nil)
            try close(&workflow, state, "license \(workflow.licenseID) is no longer on the remote")
        }
    }

    /// Records the workflow's end; call inside a transaction.
    private func close(_ workflow: inout Workflow, _ state: Workflow.State, _ detail: String) throws {
        workflow.state = state
        try store.update(workflow, at: time.timestamp)
        try record(
            workflow.kind.rawValue, result: state == .done ? "ok" : "rolled back", service: workflow.serviceID,
            license: workflow.licenseID, "\(detail) (\(workflow.key))")
    }

    /// How a suspended license wakes for its service: the one rule the run and its dry run read.
    enum Waking {
        case resume
        /// The remote shows it lapsed, but licmgr paid for a term not nearly run out: resumed
        /// without paying again.
        case resumeUnpaid(until: Day)
        /// It lapsed on `lapsed`: renewed for `period` first, and that is paid.
        case renewFirst(period: Int, lapsed: Day)
    }

    /// Throws when the period to renew a lapsed license for cannot be resolved.
    func howToWake(_ license: License, for service: Service) throws -> Waking {
        if let until = try renewedPast(license) { return .resumeUnpaid(until: until) }
        guard let expires = license.expires, expires <= time.today else { return .resume }
        let period = try resolver().period(local: service.period, tariff: license.pricelist, current: license.period)
        return .renewFirst(period: period, lapsed: expires)
    }

    /// Resumes a suspended license, renewing it first if it lapsed meanwhile.
    func resume(_ license: License, service: Service, report: inout RunReport) throws -> Bool {
        var current = license
        let wake: Waking
        do {
            wake = try howToWake(current, for: service)
        } catch {
            report.refuse(serviceID: service.id, licenseID: current.id, "license \(current.id) not resumed", error)
            return false
        }
        switch wake {
        case .resume: break
        case .resumeUnpaid(let until):
            report.warn(
                "license \(current.id): the remote shows it expired on \(current.expires?.description ?? "?"), but "
                    + "licmgr renewed it until \(until); resumed without renewing again (check the remote's dates)")
        case .renewFirst(let period, _):
            guard try renewOne(current, period: period, at: .resumeRenew, report: &report) else { return false }
            current = refresh(current.id, report: &report) ?? current
            if current.status != .suspended { return true }
        }
        let resuming = waking(current, of: service)
        current.status = .active
        return try apply(resuming.step, to: current, reportAs: nil, "license \(current.id) resumed", report: &report) {
            () throws(RemoteError) in try server.resume(license: current.id, line: current.line)
        }
    }

    /// The end of the term licmgr last paid for `license`, when the remote shows it lapsed yet
    /// that term is not nearly run out: as for renewals, licmgr's own record outranks a remote
    /// whose dates lag, and resuming does not pay for the term again.
    func renewedPast(_ license: License) throws -> Day? {
        guard let expires = license.expires, expires <= time.today,
            let until = try store.renewedUntil(license: license.id), until > time.today.adding(days: config.renewBefore)
        else { return nil }
        return until
    }
}

extension LicenseEngine {
    /// The warning owed before a new key for license `id`, or nil: a new key restarts the
    /// month of rest the vendor's rule asks of a parked license before it may be reused.
    public func newKeyWarning(license id: Int) throws -> String? {
        guard let license = try store.license(id), license.isLive, license.isParked, license.serviceID == nil else {
            return nil
        }
        let today = time.today
        let restarts = "license \(id) is in the free pool: a new key restarts its month of rest"
        let change = FreePool.reusabilityAfterChange(of: license, today: today)
        let before: String
        switch FreePool.reusability(license, today: today) {
        case .now: before = "now"
        case .from(let day): before = "from \(day)"
        case .never(let why):
            // Not reusable now and never after: the new key changes nothing to compare.
            if case .never(let after) = change { return "\(restarts), though it cannot be reused either way: \(after)" }
            before = "never: \(why)"
        }
        let after =
            switch change {
            case .from(let day): "it becomes reusable from \(day)"
            case .never(let why): "it cannot then be reused: \(why)"
            case .now: "it stays reusable"
            }
        return "\(restarts); \(after) (instead of \(before))"
    }

    /// Regenerates a license's key.
    public func newKey(license id: Int, dryRun: Bool) throws -> RunReport {
        guard let license = try store.license(id), license.isLive else { throw InputError.unknownLicense(String(id)) }
        var report = RunReport(dryRun: dryRun, observer: observer)
        if dryRun {
            report.plan(PlanItem(.newKey, serviceID: license.serviceID, licenseID: id))
            return report
        }
        let rekey = step(
            .newKey, at: .newKey, service: license.serviceID, addon: license.addon, license: id,
            "new key for license \(id)")
        guard
            let key = try send(
                rekey, report: &report, { () throws(RemoteError) in try server.newKey(license: id, line: license.line) }
            )
        else {
            return report
        }
        var updated = license
        updated.key = key
        updated.keyChanged = time.today
        if key == nil {
            guard let read = refresh(id, report: &report) else {
                // Made but not read back: the step stays in doubt, and the next run reads the key
                // before it closes it, rather than leave the one before recorded.
                let why = "the new key was not read back"
                try store.transaction {
                    try store.finish(
                        operation: rekey.key, state: .pending, licenseID: nil, result: "in doubt, answered: \(why)",
                        at: time.timestamp)
                }
                log(rekey, .inDoubt(why))
                report.add(
                    .inDoubt, serviceID: license.serviceID, addon: license.addon, licenseID: id,
                    "license \(id) has a new key that could not be read back; the next run reads it")
                return report
            }
            updated = read
        }
        try store.transaction {
            try store.save(updated, at: time.timestamp)
            try complete(rekey, "license \(id) has a new key")
        }
        report.add(
            .edited, serviceID: license.serviceID, addon: license.addon, licenseID: id,
            "license \(id) has a new key: \(updated.key ?? "(not yet issued)")")
        return report
    }

    /// The step that resumes a license with its service.
    func waking(_ license: License, of service: Service) -> PlannedStep {
        PlannedStep(
            step: step(
                .resume, at: .resumeResume, service: service.id, addon: license.addon, license: license.id,
                "resume license \(license.id)"),
            call: .resume(license: license.id, line: license.line))
    }
}
