extension LicenseEngine {
    /// A step and the remote call that makes it.
    struct PlannedStep {
        var step: Step
        var call: RemoteCall
    }

    /// Sends independent steps with up to `Parallel` in flight. Each is journaled the moment
    /// before it goes out and its outcome recorded as it arrives, so a kill mid-batch leaves
    /// every sent step journaled for the next run to settle. `done` records a success in its
    /// own transaction. Two steps for the same license or service never fly together: the
    /// later waits for a wave of its own.
    func sendAll(
        _ planned: [PlannedStep], report: inout RunReport,
        done: (Step, RemoteAnswer, inout RunReport) throws -> Void
    ) throws {
        for wave in Self.waves(planned) {
            guard report.stopped == nil else { return }
            var journaled: [Int: Step] = [:]
            var local = report
            defer { report = local }
            try server.perform(
                wave.map(\.call), parallel: config.parallel,
                starting: { index in
                    guard let step = try admit(wave[index].step, report: &local) else { return false }
                    journaled[index] = step
                    return true
                },
                each: { index, answer in
                    guard let step = journaled[index] else { return }
                    switch answer {
                    case .success(let answer):
                        FaultPoint.reach(step.point, .after)
                        try done(step, answer, &local)
                    case .failure(let error):
                        try failed(step, error, report: &local)
                    }
                })
        }
    }

    /// Splits steps into waves, keeping their order, so that no wave holds two steps for one
    /// license or one service.
    static func waves(_ planned: [PlannedStep]) -> [[PlannedStep]] {
        var waves: [[PlannedStep]] = []
        var nextFree: [String: Int] = [:]
        for item in planned {
            let keys = [item.step.service.map { "s\($0)" }, item.step.license.map { "l\($0)" }].compactMap { $0 }
            let wave = keys.map { nextFree[$0] ?? 0 }.max() ?? 0
            if wave == waves.count { waves.append([]) }
            waves[wave].append(item)
            for key in keys { nextFree[key] = wave + 1 }
        }
        return waves
    }

    /// Reads licenses by view, up to `Parallel` at once; a license that cannot be read is left
    /// out with a warning, since nothing depends on one read.
    func view(_ licenses: [License], report: inout RunReport) throws -> [License] {
        var viewed: [License] = []
        var warnings: [String] = []
        try server.perform(licenses.map { .view(license: $0.id, line: $0.line) }, parallel: config.parallel) {
            index, answer in
            switch answer {
            case .success(.license(let license)): viewed.append(license)
            case .success: break
            case .failure(let error): warnings.append("license \(licenses[index].id) could not be read back: \(error)")
            }
        }
        report.warnings += warnings
        return viewed
    }
}
