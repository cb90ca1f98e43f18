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
        enum Passed { case taken, rests(Day), never(String) }
        /// Why `candidate` is passed over before any view, or nil when its change dates decide.
        func passedOver(_ candidate: License) throws -> Passed? {
            let known = try store.license(candidate.id)
            if known?.serviceID != nil || claimed.contains(candidate.id) { return .taken }
            // Change dates only move forward: a rest the recorded ones say is not over is not
            // over on the remote either, so a run serving many needs views such a license once.
            if let known, case .from(let day) = FreePool.reusability(known, today: today) { return .rests(day) }
            if case .never(let why) = FreePool.reusability(candidate, today: today) { return .never(why) }
            return nil
        }
        let candidates = listing.indices.filter {
            listing[$0].isParked && listing[$0].pricelist == tariff && listing[$0].isLive
        }
        for (place, position) in candidates.enumerated() {
            let candidate = listing[position]
            parked += 1
            switch try passedOver(candidate) {
            case .taken: continue
            case .rests(let day):
                if soonest.map({ day < $0.day }) ?? true { soonest = (candidate, day) }
                continue
            case .never(let why):
                never = never ?? (candidate, why)
                continue
            case nil: break
            }
            // A list that carries both change dates (BILLmanager 6) has told what a view would.
            let viewed: License
            if candidate.ipChanged != nil && candidate.keyChanged != nil {
                viewed = candidate
            } else {
                if poolViews[candidate.id] == nil {
                    // This one and the next candidates a view would decide, read together.
                    var ahead = [candidate]
                    for next in candidates[(place + 1)...] where ahead.count < config.parallel {
                        let license = listing[next]
                        guard poolViews[license.id] == nil, license.ipChanged == nil || license.keyChanged == nil,
                            try passedOver(license) == nil
                        else { continue }
                        ahead.append(license)
                    }
                    try viewPool(ahead, keep: !dryRun)
                }
                guard let read = poolViews[candidate.id] else { continue }
                viewed = read
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

    /// Carries takes on together, with what they report held back until it is known whether
    /// another step serves their needs instead. Returns the takes given up, by workflow key,
    /// each with the items to turn into warnings if another step serves its need: none unless
    /// its license went cleanly back to the pool (a failed park stays a failure). The rest is told.
    func takeAllHeld(_ workflows: [Workflow], report: inout RunReport) throws -> [String: [Int]] {
        guard !workflows.isEmpty else { return [:] }
        let (outcomes, told) = try report.holdingBack { try advanceTakes(workflows, report: &$0) }
        var givenUp: [String: [Int]] = [:]
        for workflow in workflows where outcomes[workflow.key] == .rolledBack && report.stopped == nil {
            let id = workflow.licenseID
            guard let back = try store.license(id), back.serviceID == nil, back.isParked else {
                givenUp[workflow.key] = []
                continue
            }
            givenUp[workflow.key] = told.filter { report.items[$0].licenseID == id }
        }
        report.release(allBut: Set(givenUp.values.joined()))
        return givenUp
    }

    /// Views free-pool candidates, up to `Parallel` at once, into `poolViews`, and with `keep`
    /// stores their change dates. A view that fails fails the run, as one alone would: a
    /// candidate passed over unread could make the run buy what the pool holds.
    private func viewPool(_ candidates: [License], keep: Bool) throws {
        var failure: RemoteError?
        try server.perform(
            candidates.map { .view(license: $0.id, line: $0.line) }, parallel: config.parallel,
            starting: { _ in failure == nil }
        ) { index, answer in
            switch answer {
            case .success(.license(var viewed)):
                // A form without a status says nothing of it: the list's stands.
                if viewed.statusUnsaid { viewed.status = candidates[index].status }
                poolViews[candidates[index].id] = viewed
            case .success: break
            case .failure(let error): failure = failure ?? error
            }
        }
        if let failure { throw failure }
        if keep { for viewed in candidates.compactMap({ poolViews[$0.id] }) { try keepChangeDates(of: viewed) } }
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

    /// Records a take of `free` for the need, to be carried on by `advanceTakes`.
    func startTake(_ free: License, for service: Service, need: Need, replacing old: License?) throws -> Workflow {
        try beginTake(
            free, for: service, addon: need.addon, replacing: old,
            "taking free license \(free.id) (tariff \(free.pricelist)) for service \(service.id)"
                + (old.map { " in place of license \($0.id)" } ?? ""))
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
    func park(_ license: License, report: inout RunReport) throws {
        try parkAll([license], report: &report)
    }

    /// Parks licenses together, each as the workflow `park` records: all recorded first, then
    /// every suspend, then every rename, up to `Parallel` in flight. A park whose step fails
    /// stays open, and the next run carries it on, as with one parked alone.
    func parkAll(_ licenses: [License], report: inout RunReport) throws {
        let parks = licenses.map(parking)
        try startParks(parks.map { ($0, nil) })
        try carryOnParks(parks, report: &report)
    }

    /// A take that the transaction recording a park ends, and how.
    private struct Ending {
        var workflow: Workflow
        var state: Workflow.State
        var detail: String
    }

    /// Records parks, a few hundred to a transaction, each with the take it ends: a take given
    /// up, or an upgrade letting its old license go, closes in the transaction that records the
    /// park, so no run cut between the two leaves a license that no workflow carries on.
    private func startParks(_ parks: [(park: Workflow, ending: Ending?)]) throws {
        for chunk in stride(from: 0, to: parks.count, by: 500) {
            try store.transaction {
                for (park, ending) in parks[chunk..<min(chunk + 500, parks.count)] {
                    if var ending { try close(&ending.workflow, ending.state, ending.detail) }
                    try begin(park)
                }
            }
        }
    }

    /// Carries recorded parks forward together: every suspend, then every rename, up to
    /// `Parallel` in flight; a license's rename is not sent if its suspend failed. Returns the
    /// keys of the parks that finished.
    @discardableResult
    private func carryOnParks(_ workflows: [Workflow], report: inout RunReport) throws -> Set<String> {
        var finished = Set<String>()
        var suspends: [PlannedChange] = []
        for workflow in workflows {
            guard let license = try store.license(workflow.licenseID), license.isLive, license.status.isAwake else {
                continue
            }
            var suspended = license
            suspended.status = .suspended
            suspends.append(
                PlannedChange(
                    planned: parkSuspending(license), changed: suspended, action: nil,
                    detail: "license \(license.id) suspended"))
        }
        try apply(suspends, report: &report)
        var renames: [PlannedChange] = []
        for workflow in workflows {
            guard var parked = try store.license(workflow.licenseID), parked.isLive, !parked.isParked,
                !parked.status.isAwake
            else { continue }
            let original = parked
            parked.name = License.parkedName
            // The pool's month of rest starts now: `list --free` tells from this when it ends.
            if parked.ip != License.parkedIP { parked.ipChanged = time.today }
            parked.ip = License.parkedIP
            renames.append(
                PlannedChange(
                    planned: parkRenaming(original), changed: parked, action: nil,
                    detail: "license \(original.id) renamed \(License.parkedName) on \(License.parkedIP)"))
        }
        try apply(renames, report: &report)
        for var workflow in workflows {
            guard let license = try store.license(workflow.licenseID) else { continue }
            if !license.isLive {
                try closeWithoutLicense(&workflow, .done)
                finished.insert(workflow.key)
                continue
            }
            guard license.isParked, license.status == .suspended else { continue }
            try store.transaction {
                try store.attach(license: license.id, to: nil, addon: nil)
                try close(&workflow, .done, "license \(license.id) is in the free pool")
            }
            finished.insert(workflow.key)
            report.add(
                .parked, serviceID: workflow.serviceID, addon: workflow.addon, licenseID: license.id,
                "parked license \(license.id) in the free pool")
        }
        return finished
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
    /// the remote shows now, the parks together and then the takes together. Runs after
    /// settling, before anything else may touch their licenses.
    func finishWorkflows(report: inout RunReport) throws {
        let inDoubt = Set(try store.operations(state: .pending).compactMap(\.licenseID))
        var parks: [Workflow] = []
        var takes: [Workflow] = []
        for workflow in try store.openWorkflows() {
            // Settling has said why such a step still waits.
            if workflow.licenseIDs.contains(where: inDoubt.contains) { continue }
            report.note(
                "carrying on the \(workflow.kind.rawValue) of license \(workflow.licenseID) (\(workflow.key))")
            if workflow.kind == .park { parks.append(workflow) } else { takes.append(workflow) }
        }
        try carryOnParks(parks, report: &report)
        guard report.stopped == nil else { return }
        _ = try advanceTakes(takes, report: &report)
    }

    /// Licenses that a step in doubt or an open workflow holds: nothing else may change them.
    func busyLicenses() throws -> Set<Int> {
        Set(try store.operations(state: .pending).compactMap(\.licenseID))
            .union(try store.openWorkflows().flatMap(\.licenseIDs))
    }

    /// Does whatever the workflow still lacks, as `advanceTakes` and `carryOnParks` do for many.
    func advance(_ workflow: inout Workflow, report: inout RunReport) throws -> WorkflowOutcome {
        switch workflow.kind {
        case .park: return try carryOnParks([workflow], report: &report).isEmpty ? .waiting : .finished
        case .reuse, .upgrade: return try advanceTakes([workflow], report: &report)[workflow.key] ?? .waiting
        }
    }

    /// A take as far as this run has carried it.
    private struct TakeChain {
        enum State {
            case going
            /// Cut off where the next run can carry it on without giving it up.
            case waiting
            /// A step failed or was held, for this reason.
            case failed(String)
        }

        var workflow: Workflow
        var license: License
        var service: Service
        var state = State.going

        var going: Bool {
            if case .going = state { return true }
            return false
        }
    }

    /// Carries takes (reuse, upgrade) forward together, each a chain of journaled steps on its
    /// own license and the chains side by side: every rename and move, then every new key, then
    /// every renewal a lapsed license needs, then every wake, up to `Parallel` in flight; then
    /// the licenses upgrades replace are let go together. A license's later step is not sent
    /// once an earlier one failed or was held: its take is given up and the license parked
    /// again, or, when the run stopped, left open for the next run. Each step is idempotent or
    /// recorded as a mark, so carrying a take on again after any interruption neither repeats
    /// a paid step nor skips one. Returns how far each take got, by workflow key.
    func advanceTakes(_ workflows: [Workflow], report: inout RunReport) throws -> [String: WorkflowOutcome] {
        var outcomes: [String: WorkflowOutcome] = [:]
        var chains: [TakeChain] = []
        var givenUp: [(workflow: Workflow, license: License, why: String)] = []
        for var workflow in workflows {
            guard let license = try store.license(workflow.licenseID), license.isLive else {
                try closeWithoutLicense(&workflow, .rolledBack)
                outcomes[workflow.key] = .rolledBack
                continue
            }
            guard let serviceID = workflow.serviceID, let service = try self.service(serviceID),
                service.status == .active
            else {
                givenUp.append((workflow, license, "its service is no longer active"))
                continue
            }
            chains.append(TakeChain(workflow: workflow, license: license, service: service))
        }
        let fresh = chains.indices.filter { !chains[$0].workflow.marks.contains(.taken) }
        try moveTaken(&chains, fresh, report: &report)
        try rekeyTaken(&chains, fresh, report: &report)
        try renewLapsedTaken(&chains, fresh, report: &report)
        try wakeTaken(&chains, fresh, report: &report)
        var taken: [Int] = []
        for index in fresh {
            let chain = chains[index]
            switch chain.state {
            case .going:
                chains[index].workflow.marks.insert(.taken)
                taken.append(index)
            case .waiting:
                outcomes[chain.workflow.key] = .waiting
            case .failed(let why):
                // Cut off, not refused: the next run carries it on.
                if report.stopped != nil {
                    outcomes[chain.workflow.key] = .waiting
                } else {
                    givenUp.append((chain.workflow, chain.license, why))
                }
            }
        }
        for chunk in stride(from: 0, to: taken.count, by: 500) {
            try store.transaction {
                for index in taken[chunk..<min(chunk + 500, taken.count)] {
                    try store.update(chains[index].workflow, at: time.timestamp)
                }
            }
        }
        for index in taken {
            let chain = chains[index]
            report.add(
                .reused, serviceID: chain.service.id, addon: chain.workflow.addon, licenseID: chain.license.id,
                "reused free license \(chain.license.id) for service \(chain.service.id)")
        }
        var parks: [(park: Workflow, ending: Ending?)] = []
        var deletes: [PlannedChange] = []
        var deleting: [Int] = []
        var served: [Int] = []
        for index in chains.indices where chains[index].going {
            let chain = chains[index]
            guard let oldID = chain.workflow.replacedID, let old = try store.license(oldID), old.isLive,
                old.serviceID == chain.service.id
            else {
                served.append(index)
                continue
            }
            if reusesLicenses(of: chain.service) {
                let done = "license \(chain.license.id) serves service \(chain.service.id)"
                parks.append((parking(old), Ending(workflow: chain.workflow, state: .done, detail: done)))
                outcomes[chain.workflow.key] = .finished
            } else {
                deletes.append(
                    deletion(
                        old, of: chain.service,
                        why: "replaced by license \(chain.license.id) of tariff \(chain.license.pricelist)"))
                deleting.append(index)
            }
        }
        try apply(deletes, report: &report)
        for (index, removal) in zip(deleting, deletes) {
            if try store.license(removal.changed.id)?.isLive == false {
                served.append(index)
            } else {
                outcomes[chains[index].workflow.key] = .waiting
            }
        }
        for chunk in stride(from: 0, to: served.count, by: 500) {
            try store.transaction {
                for index in served[chunk..<min(chunk + 500, served.count)] {
                    let chain = chains[index]
                    try close(
                        &chains[index].workflow, .done, "license \(chain.license.id) serves service \(chain.service.id)"
                    )
                }
            }
        }
        for index in served { outcomes[chains[index].workflow.key] = .finished }
        for (workflow, license, why) in givenUp {
            report.warn("free license \(license.id) could not be reused (\(why)) and goes back to the pool")
            parks.append((parking(license), Ending(workflow: workflow, state: .rolledBack, detail: "given up: \(why)")))
            outcomes[workflow.key] = .rolledBack
        }
        try startParks(parks)
        try carryOnParks(parks.map(\.park), report: &report)
        return outcomes
    }

    /// Takes' first step: each free license moves to its service's IP, under its name.
    private func moveTaken(_ chains: inout [TakeChain], _ fresh: [Int], report: inout RunReport) throws {
        var moves: [PlannedChange] = []
        var moving: [Int] = []
        for index in fresh where chains[index].going {
            let (license, service) = (chains[index].license, chains[index].service)
            let name = service.licenseName()
            guard license.name != name || license.ip != service.ip else { continue }
            var moved = license
            moved.name = name
            if moved.ip != service.ip { moved.ipChanged = time.today }
            moved.ip = service.ip
            let move = step(
                .edit, at: .reuseRename, service: service.id, addon: chains[index].workflow.addon, license: license.id,
                params: ["licname": name, "ip": service.ip],
                "rename free license \(license.id) for service \(service.id)")
            moves.append(
                PlannedChange(
                    planned: PlannedStep(
                        step: move, call: .edit(license: license.id, line: license.line, name: name, ip: service.ip)),
                    changed: moved, action: nil, detail: "license \(license.id) renamed '\(name)' on \(service.ip)"))
            moving.append(index)
        }
        try apply(moves, report: &report)
        for (index, move) in zip(moving, moves) {
            let now = try store.license(move.changed.id)
            if now?.name == move.changed.name && now?.ip == move.changed.ip {
                chains[index].license = move.changed
            } else {
                chains[index].state = .failed("renaming it failed")
            }
        }
    }

    /// Takes' second step: a new key, so that no last owner's key works on the license.
    private func rekeyTaken(_ chains: inout [TakeChain], _ fresh: [Int], report: inout RunReport) throws {
        var rekeys: [PlannedStep] = []
        var byKey: [String: Int] = [:]
        for index in fresh where chains[index].going && !chains[index].workflow.marks.contains(.newKey) {
            let license = chains[index].license
            let rekey = step(
                .newKey, at: .reuseNewKey, service: chains[index].service.id, addon: chains[index].workflow.addon,
                license: license.id, "new key for license \(license.id)")
            byKey[rekey.key] = index
            rekeys.append(PlannedStep(step: rekey, call: .newKey(license: license.id, line: license.line)))
        }
        var answered = Set<Int>()
        var unread: [(index: Int, step: Step)] = []
        try sendAll(rekeys, report: &report) { rekey, answer, _ in
            guard let index = byKey[rekey.key] else { return }
            answered.insert(index)
            if case .key(let key?) = answer {
                try keep(key, rekey, in: &chains[index])
            } else {
                unread.append((index, rekey))
            }
        }
        for index in byKey.values where !answered.contains(index) {
            chains[index].state = .failed("its new key failed")
        }
        guard !unread.isEmpty else { return }
        // An answer without the key is read back: the last owner's key must not stay recorded.
        let read = Dictionary(
            try view(unread.map { chains[$0.index].license }, report: &report).map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        for (index, rekey) in unread {
            let id = chains[index].license.id
            if let key = read[id]?.key {
                try keep(key, rekey, in: &chains[index])
                continue
            }
            try store.transaction { try complete(rekey, "license \(id) has a new key, not read back") }
            report.warn("license \(id) has a new key that could not be read back; the next run makes another")
            chains[index].state = .waiting
        }
    }

    /// Records a take's new key and its mark with the step done, in one transaction.
    private func keep(_ key: String, _ rekey: Step, in chain: inout TakeChain) throws {
        chain.license.key = key
        chain.license.keyChanged = time.today
        chain.workflow.marks.insert(.newKey)
        try store.transaction {
            try store.save(chain.license, at: time.timestamp)
            try store.update(chain.workflow, at: time.timestamp)
            try complete(rekey, "license \(chain.license.id) has a new key")
        }
    }

    /// Before a take's license wakes, as `resume` does for one: renewed first if it lapsed.
    private func renewLapsedTaken(_ chains: inout [TakeChain], _ fresh: [Int], report: inout RunReport) throws {
        var renewals: [PlannedStep] = []
        var byKey: [String: Int] = [:]
        for index in fresh where chains[index].going && chains[index].license.status == .suspended {
            let (license, service) = (chains[index].license, chains[index].service)
            let wake: Waking
            do {
                wake = try howToWake(license, for: chains[index].service)
            } catch {
                report.refuse(serviceID: service.id, licenseID: license.id, "license \(license.id) not resumed", error)
                chains[index].state = .failed("waking it failed")
                continue
            }
            guard case .renewFirst(let period, _) = wake else {
                if case .resumeUnpaid(let until) = wake {
                    report.warn(Self.resumedWithoutRenewing(license, until: until))
                }
                continue
            }
            let renewal = renewal(of: license, period: period, at: .resumeRenew)
            byKey[renewal.key] = index
            renewals.append(PlannedStep(step: renewal, call: .prolong(license: license.id, period: period)))
        }
        var renewed: [Int] = []
        try sendAll(renewals, report: &report) { renewal, answer, report in
            guard let index = byKey[renewal.key], case .expiry(let expires) = answer else { return }
            try recordRenewal(renewal, of: chains[index].license, until: expires, report: &report)
            renewed.append(index)
        }
        let done = Set(renewed)
        for index in byKey.values where !done.contains(index) { chains[index].state = .failed("waking it failed") }
        guard !renewed.isEmpty else { return }
        for index in renewed {
            chains[index].license = try store.license(chains[index].license.id) ?? chains[index].license
        }
        let read = Dictionary(
            try refresh(renewed.map { chains[$0].license }, report: &report).map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        for index in renewed { chains[index].license = read[chains[index].license.id] ?? chains[index].license }
    }

    /// Takes' last remote step: each suspended license wakes for its service.
    private func wakeTaken(_ chains: inout [TakeChain], _ fresh: [Int], report: inout RunReport) throws {
        var wakes: [PlannedChange] = []
        var woken: [Int] = []
        for index in fresh where chains[index].going && chains[index].license.status == .suspended {
            let license = chains[index].license
            var awake = license
            awake.status = .active
            wakes.append(
                PlannedChange(
                    planned: waking(license, of: chains[index].service), changed: awake, action: nil,
                    detail: "license \(license.id) resumed"))
            woken.append(index)
        }
        try apply(wakes, report: &report)
        for (index, wake) in zip(woken, wakes) {
            if try store.license(wake.changed.id)?.status == .suspended {
                chains[index].state = .failed("waking it failed")
            } else {
                chains[index].license = wake.changed
            }
        }
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

    /// Wakes lapsed licenses of resumed services together: every renewal, then a read of those
    /// renewed (the remote may have woken them with it), then a resume of each still
    /// suspended, up to `Parallel` in flight. Returns the licenses that did not wake.
    func wakeLapsed(_ lapsed: [(license: License, service: Service, period: Int)], report: inout RunReport) throws
        -> Set<Int>
    {
        guard !lapsed.isEmpty else { return [] }
        var byKey: [String: Int] = [:]
        let renewals = lapsed.indices.map { index in
            let (license, _, period) = lapsed[index]
            let renewal = renewal(of: license, period: period, at: .resumeRenew)
            byKey[renewal.key] = index
            return PlannedStep(step: renewal, call: .prolong(license: license.id, period: period))
        }
        var renewed: [Int] = []
        try sendAll(renewals, report: &report) { renewal, answer, report in
            guard let index = byKey[renewal.key], case .expiry(let expires) = answer else { return }
            try recordRenewal(renewal, of: lapsed[index].license, until: expires, report: &report)
            renewed.append(index)
        }
        var asleep = Set(lapsed.map(\.license.id))
        guard report.stopped == nil, !renewed.isEmpty else { return asleep }
        let read = Dictionary(
            try refresh(renewed.map { try store.license(lapsed[$0].license.id) ?? lapsed[$0].license }, report: &report)
                .map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
        var wakes: [PlannedChange] = []
        for index in renewed {
            let (license, service, _) = lapsed[index]
            guard let now = try read[license.id] ?? store.license(license.id) else { continue }
            if now.status != .suspended {
                asleep.remove(license.id)
                report.add(
                    .resumed, serviceID: service.id, addon: license.addon, licenseID: license.id,
                    "resumed license \(license.id) with service \(service.id)")
                continue
            }
            var awake = now
            awake.status = .active
            wakes.append(
                PlannedChange(
                    planned: waking(now, of: service), changed: awake, action: .resumed,
                    detail: "resumed license \(license.id) with service \(service.id)"))
        }
        try apply(wakes, report: &report)
        for wake in wakes where try store.license(wake.changed.id)?.status == .active {
            asleep.remove(wake.changed.id)
        }
        return asleep
    }

    /// Why a license the remote shows lapsed wakes without a renewal.
    static func resumedWithoutRenewing(_ license: License, until: Day) -> String {
        "license \(license.id): the remote shows it expired on \(license.expires?.description ?? "?"), but "
            + "licmgr renewed it until \(until); resumed without renewing again (check the remote's dates)"
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
