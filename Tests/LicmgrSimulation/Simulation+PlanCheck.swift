import Glibc

@testable import LicmgrCore

extension Simulation {
    /// `check`'s dry run, then its run, on this world as it is: no faults, no time between them.
    /// `check` is a `.run`, or a `service set|suspend|resume|close --now` as `.setService` or
    /// `.setStatus`, whose dry run assumes the change and whose run records it first, as the
    /// command line does. Nil when the command refuses its input before either.
    func planThenRun(_ check: Event, renamesPerRun: Int? = nil) throws -> PlanCheck.Outcome? {
        var outcome = PlanCheck.Outcome(check: check)
        for service in try checker.services(includeClosed: true) { outcome.services[service.id] = service }
        // What the listing will tell the run that licmgr's record does not know yet.
        for known in try checker.allLicenses() where known.isLive {
            guard let remote = remote.entries[known.id]?.license else { continue }
            if remote.status != known.status || remote.expires != known.expires || remote.ip != known.ip
                || remote.pricelist != known.pricelist
            {
                outcome.stale.insert(known.id)
            }
        }
        func engine(_ command: String) throws -> LicenseEngine {
            let engine = LicenseEngine(
                config: config, store: try SQLiteStore(path: database), server: remote, time: clock, command: command,
                keys: keys)
            if let renamesPerRun { engine.renamesPerRun = renamesPerRun }
            // As the command line gives it: a dry run plans on a copy it may write.
            engine.scratch = { [database] in
                let path = "\(database).dry-run"
                for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
                _ = try DatabaseBackup.copy(database: database, to: path, replace: false)
                return try SQLiteStore(path: path)
            }
            return engine
        }
        /// The report of one side, or what it threw, as the text of a report-less mismatch.
        func side(_ body: () throws -> RunReport?) -> Result<RunReport?, any Error> {
            remote.begin(SimProcess(), faults: .clean)
            defer { remote.end() }
            return Result { try body() }
        }
        let plan: Result<RunReport?, any Error>
        let run: Result<RunReport?, any Error>
        switch check {
        case .run(let command, _):
            plan = side { try execute(command, engine(command.name), dryRun: true) }
            run = side { try execute(command, engine(command.name)) }
        case .setService(let id, let ip, let period, let addons, _):
            let change = ServiceChange(ip: ip, period: period, addons: addons)
            guard (try? registry().validate(id, change)) != nil else { return nil }
            plan = side { try engine("service").follow(serviceIDs: [id], dryRun: true, assuming: change) }
            run = side {
                _ = try registry().set(id, change)
                return try engine("service").follow(serviceIDs: [id], dryRun: false)
            }
        case .setStatus(let ids, let status, _):
            guard (try? registry().validateStatus(ids, to: status)) != nil else { return nil }
            plan = side {
                try engine("service").follow(serviceIDs: ids, dryRun: true, assuming: ServiceChange(status: status))
            }
            run = side {
                _ = try registry().setStatus(ids, to: status)
                return try engine("service").follow(serviceIDs: ids, dryRun: false)
            }
        default:
            preconditionFailure("\(check.swift) has no dry run")
        }
        switch (plan, run) {
        case (.success(let plan), .success(let run)):
            outcome.plan = plan
            outcome.run = run
            if let plan, let run {
                outcome.mismatches = PlanCheck.compare(plan: plan, run: run)
            } else if (plan == nil) != (run == nil) {
                outcome.mismatches = [
                    PlanCheck.Mismatch(side: .threw, text: "one side ran, the other had nothing to run")
                ]
            }
            if let stopped = run?.stopped {
                outcome.mismatches.append(PlanCheck.Mismatch(side: .threw, text: "the run stopped: \(stopped)"))
            }
        case (.failure(let planned), .failure(let ran)):
            if "\(planned)" != "\(ran)" {
                outcome.mismatches = [
                    PlanCheck.Mismatch(side: .threw, text: "the dry run threw '\(planned)', the run '\(ran)'")
                ]
            }
        case (.failure(let error), .success(let run)):
            outcome.run = run ?? nil
            outcome.mismatches = [
                PlanCheck.Mismatch(side: .threw, text: "the dry run threw '\(error)'; the run did not")
            ]
        case (.success(let plan), .failure(let error)):
            outcome.plan = plan ?? nil
            outcome.mismatches = [
                PlanCheck.Mismatch(side: .threw, text: "the run threw '\(error)'; the dry run did not")
            ]
        }
        return outcome
    }
}
