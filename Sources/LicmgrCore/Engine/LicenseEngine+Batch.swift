extension LicenseEngine {
    /// A step and the remote call that makes it.
    struct PlannedStep {
        var step: Step
        var call: RemoteCall
    }

    /// A step that changes one license, what the license is once it is done, and how to report it.
    struct PlannedChange {
        var planned: PlannedStep
        var changed: License
        /// nil for a step of a workflow, which reports once it is done.
        var action: RunReport.Action?
        var detail: String
        /// How a dry run names the step: what `preview` plans where the run sends it.
        var plan: PlanItem? = nil
    }

    /// Sends independent steps with up to `Parallel` in flight. Each is journaled before it goes
    /// out (the next `Parallel` in one commit) and its outcome recorded as it arrives, so a kill mid-batch leaves
    /// every sent step journaled for the next run to settle. `done` records a success in its
    /// own transaction. Two steps for the same license or service never fly together: the
    /// later waits for a wave of its own, and is not sent if the earlier failed (a license
    /// that did not wake is not moved as if it had).
    func sendAll(
        _ planned: [PlannedStep], report: inout RunReport,
        done: (Step, RemoteAnswer, inout RunReport) throws -> Void
    ) throws {
        // How far the batch has come, for a progress line: answered steps, and those in flight.
        var answered = 0
        var inFlight: [Int: String] = [:]
        let phase = RunProgress.Phase.batch(of: planned.map(\.step.kind))
        func tellProgress(_ last: String) {
            let flying = inFlight.sorted { $0.key < $1.key }.map(\.value)
            let current =
                flying.isEmpty
                ? last : flying[0] + (flying.count > 1 ? " and \(flying.count - 1) more in flight" : "")
            observer?.progress(RunProgress(phase, done: answered, total: planned.count, current: current))
        }
        defer {
            observer?.progress(RunProgress(phase, done: answered, total: planned.count, current: ""))
            // A signal while the last steps flew stops the run here, not at the next step it sends.
            if let signal = Interruption.signal, report.stopped == nil { report.stopped = .interrupted(signal: signal) }
        }
        var failedLicenses = Set<Int>()
        for wave in Self.waves(planned) {
            guard report.stopped == nil else { return }
            // Filtered only when something failed: a copy of a takeover's 10,000 orders weighs.
            let wave =
                failedLicenses.isEmpty
                ? wave : wave.filter { $0.step.license.map { !failedLicenses.contains($0) } ?? true }
            inFlight = [:]
            var journaled: [Int: Step] = [:]
            var admittedUpTo = 0
            var started = Set<Int>()
            // Moved, not copied: a copy of a report of 100,000 items is copied whole at its next item.
            var local = RunReport()
            swap(&local, &report)
            defer { swap(&local, &report) }
            try server.perform(
                wave.map(\.call), parallel: config.parallel,
                starting: { index in
                    if index >= admittedUpTo {
                        // The next `Parallel` steps are journaled in one commit, each still before it is sent.
                        admittedUpTo = min(wave.count, index + config.parallel)
                        let window = try admit(wave[index..<admittedUpTo].map(\.step), report: &local)
                        for (offset, step) in window { journaled[index + offset] = step }
                    }
                    if let signal = Interruption.signal, local.stopped == nil {
                        local.stopped = .interrupted(signal: signal)
                    }
                    guard let step = journaled[index], local.stopped == nil else {
                        // Held back (SpendLimit, a refusal already journaled): nothing after it either.
                        if let license = wave[index].step.license { failedLicenses.insert(license) }
                        return false
                    }
                    started.insert(index)
                    inFlight[index] = step.summary
                    tellProgress(step.summary)
                    FaultPoint.reach(step.point, .before)
                    return true
                },
                each: { index, answer in
                    guard let step = journaled[index] else { return }
                    answered += 1
                    inFlight[index] = nil
                    tellProgress("\(step.summary): answered")
                    switch answer {
                    case .success(let answer):
                        do throws(RemoteError) {
                            try FaultPoint.answered(step.point)
                        } catch {
                            if let license = step.license { failedLicenses.insert(license) }
                            return try failed(step, error, report: &local)
                        }
                        try done(step, answer, &local)
                    case .failure(let error):
                        if let license = step.license { failedLicenses.insert(license) }
                        try failed(step, error, report: &local)
                    }
                })
            // Journaled with its window but never sent, because the run stopped first: known
            // not done, so it is closed now rather than left for the next run to wonder about.
            let unsent = journaled.filter { !started.contains($0.key) }.map(\.value)
            if !unsent.isEmpty {
                try store.transaction {
                    for step in unsent {
                        try store.finish(
                            operation: step.key, state: .failed, licenseID: nil,
                            result: "not sent: the run stopped before it", at: time.timestamp)
                    }
                }
            }
        }
    }

    /// Splits steps into waves, keeping their order, so that no wave holds two steps for one
    /// license or one service.
    static func waves(_ planned: [PlannedStep]) -> [[PlannedStep]] {
        let numbers = waveNumbers(planned.lazy.map(\.step))
        // Nearly always one wave: the steps themselves, not a copy of 10,000 of them.
        let count = (numbers.max() ?? -1) + 1
        if count == 1 { return [planned] }
        var waves = [[PlannedStep]](repeating: [], count: count)
        for (item, wave) in zip(planned, numbers) { waves[wave].append(item) }
        return waves
    }

    /// The wave of each step, as `waves` splits them: a step goes one wave after the last one
    /// before it for the same service or license.
    static func waveNumbers(_ steps: some Sequence<Step>) -> [Int] {
        var numbers: [Int] = []
        numbers.reserveCapacity(steps.underestimatedCount)
        var nextFree: [String: Int] = [:]
        for step in steps {
            let keys = [step.service.map { "s\($0)" }, step.license.map { "l\($0)" }].compactMap { $0 }
            let wave = keys.map { nextFree[$0] ?? 0 }.max() ?? 0
            numbers.append(wave)
            for key in keys { nextFree[key] = wave + 1 }
        }
        return numbers
    }

    /// Reads licenses by view, up to `Parallel` at once; a license that cannot be read is left
    /// out with a warning, since nothing depends on one read.
    func view(_ licenses: [License], report: inout RunReport) throws -> [License] {
        var viewed: [License] = []
        var warnings: [String] = []
        var answered = 0
        defer { observer?.progress(RunProgress(.readingBack, done: answered, total: licenses.count, current: "")) }
        // What was done is recorded already: after a signal the rest is not read.
        try server.perform(
            licenses.map { .view(license: $0.id, line: $0.line) }, parallel: config.parallel,
            starting: { _ in Interruption.signal == nil }
        ) { index, answer in
            answered += 1
            observer?.progress(
                RunProgress(
                    .readingBack, done: answered, total: licenses.count,
                    current: "license \(licenses[index].id)"))
            switch answer {
            case .success(.license(let license)): viewed.append(license)
            case .success, .failure(.interrupted): break
            case .failure(let error): warnings.append("license \(licenses[index].id) could not be read back: \(error)")
            }
        }
        for warning in warnings { report.warn(warning) }
        if let signal = Interruption.signal, report.stopped == nil { report.stopped = .interrupted(signal: signal) }
        return viewed
    }
}
