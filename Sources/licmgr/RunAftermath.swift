import FoundationEssentials
import Glibc
import LicmgrCore

/// What follows a recorded run: the metrics file rewritten, and the hook told when the run
/// changed the remote or failed, but not of every run of a repeating error. Neither changes
/// the run's exit code; a failure of either is one warning line.
extension CommandContext {
    func afterRun(_ run: RunRecord, report: RunReport?, error: (any Error)?) {
        if let path = config.metricsFile {
            do {
                let status = try StatusReport(store: try openStore(), config: config, time: time)
                try MetricsFile.write(try MetricsFile.text(status, store: try openStore()), to: path)
            } catch {
                output.warning("metrics file \(path) not written: \(error)")
            }
        }
        if let hook = config.hook, callsHook(run, report: report, error: error) {
            callHook(hook, run: run, report: report, error: error)
        }
    }

    /// Whether the hook hears of the run: one that changed the remote always; one that failed
    /// unless it failed only of repeating errors that are no news this run (cron's mail rule).
    private func callsHook(_ run: RunRecord, report: RunReport?, error: (any Error)?) -> Bool {
        if run.changedRemote { return true }
        guard let repeats else { return !run.succeeded }
        if repeats.isNews { return true }
        if run.succeeded { return false }
        let onlyRepeats =
            error.map { MailHygiene.condition(of: $0) != nil } ?? report.map(MailHygiene.failedOnlyOfRepeats) ?? false
        return !onlyRepeats
    }

    /// The hook's stdin: the run's `--json` document (the error document for a run that failed
    /// before it had a report) plus what says which run it was, with times in RFC 3339, and
    /// the repeating errors it is called for (`repeat`).
    static func summary(
        _ run: RunRecord, report: RunReport?, error: (any Error)?, repeats: MailHygiene.Verdict? = nil
    ) -> JSONValue {
        var object = report.map(Rendering.report) ?? JSONObject(members: [])
        if let error {
            object.set(
                "error",
                ["code": .int(run.exitCode), "message": .string(String(describing: error))])
        }
        object.set("command", .string(run.command))
        object.set("exit_code", .int(run.exitCode))
        object.set("started_at", .string(RunRecord.rfc3339(run.startedAt)))
        object.set("ended_at", .string(RunRecord.rfc3339(run.endedAt)))
        object.set(
            "repeat",
            .array(
                (repeats?.events ?? []).map { event in
                    [
                        "condition": .string(event.error.condition.rawValue), "state": .string(event.state.rawValue),
                        "runs": .int(event.error.runs), "since": .string(RunRecord.rfc3339(event.error.since)),
                    ]
                }))
        object.set("host", .string(Self.hostName))
        object.set("counts", .object(JSONObject(members: run.counts.map { ($0.key, .int($0.value)) })))
        return .object(object)
    }

    /// This machine's name as the kernel has it: no lookup that a broken resolver could hold up.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func callHook(_ path: String, run: RunRecord, report: RunReport?, error: (any Error)?) {
        var input: [UInt8] = []
        Self.summary(run, report: report, error: error, repeats: repeats).write(into: &input)
        input.append(UInt8(ascii: "\n"))
        // Named variables only: LICMGR_PASSWORD, and whatever else licmgr was given, stay here.
        let inherited = ProcessInfo.processInfo.environment
        var environment = [
            "PATH": inherited["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LICMGR_COMMAND": run.command, "LICMGR_EXIT_CODE": String(run.exitCode), "LICMGR_CONFIG": config.path,
        ]
        if let lang = inherited["LANG"] { environment["LANG"] = lang }
        let outcome = HookRunner(path: path, timeout: Double(config.hookTimeout))
            .run(input: input, environment: environment)
        let said = "hook \(path) \(outcome.summary)"
        if !outcome.succeeded { output.warning(said) }
        try? openStore().append(
            HistoryEntry(
                at: time.timestamp, command: run.command, serviceID: nil, licenseID: nil, action: "hook",
                result: outcome.succeeded ? "ok" : "failed", detail: said))
    }
}
