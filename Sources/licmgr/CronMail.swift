import FoundationEssentials
import LicmgrCore

/// What checkevent prints, cron mails: an error that repeats every run (the remote down, the
/// credentials refused, purchases refused for lack of funds, the ServiceSource failing) is printed when it starts, at
/// most hourly while it lasts, and followed by one line when it ends. `-v` prints every run;
/// the exit code, --json and the log trail are the same either way.
struct CronMail {
    let hygiene: MailHygiene
    let output: Output
    /// Whether a purchase refused for lack of funds is printed as it happens in this run.
    let printsFunds: Bool

    /// Whether a `ServiceSource` failure is printed as it happens in this run.
    let printsSource: Bool

    init(hygiene: MailHygiene, output: Output) {
        self.hygiene = hygiene
        self.output = output
        printsFunds = Self.printsAll(output) || (try? hygiene.prints(.funds)) ?? true
        printsSource = Self.printsAll(output) || (try? hygiene.prints(.serviceSource)) ?? true
    }

    /// Lets `engine`'s live lines leave out what this run is not to print.
    func quieten(_ engine: LicenseEngine) {
        guard !printsFunds, let live = engine.observer as? LiveRun else { return }
        live.holdsBack = MailHygiene.isFundsRefusal
    }

    /// `error` to throw: itself when it is to be printed, else wrapped as already said.
    func filter(_ error: any Error) -> any Error {
        guard let verdict = record(MailHygiene.observe(stoppedBy: error)) else { return error }
        for line in verdict.ended { say(line) }
        guard let condition = MailHygiene.condition(of: error), !verdict.print.contains(condition) else { return error }
        return AlreadySaid(cause: error)
    }

    /// `report` as it is to be printed at its end, and the lines that say which errors ended,
    /// to print after it.
    func filter(_ report: RunReport) -> (shown: RunReport, ended: [String]) {
        guard let verdict = record(MailHygiene.observe(report)) else { return (report, []) }
        var shown = report
        if let stopped = report.stopped, let condition = MailHygiene.condition(of: stopped),
            !verdict.print.contains(condition)
        {
            shown.stopped = nil
        }
        return (shown, verdict.ended)
    }

    func say(_ line: String) {
        FileDescriptor.standardError.write("licmgr: \(line)\n")
    }

    /// -v asks for every error, and a program reading --json gets its error document.
    private static func printsAll(_ output: Output) -> Bool { output.verbose || output.json }

    /// Records the run; nil when the record cannot be kept, and then everything is printed.
    private func record(_ observation: MailHygiene.Observation) -> (
        print: Set<RepeatingError.Condition>, ended: [String]
    )? {
        guard let verdict = try? hygiene.record(observation) else { return nil }
        let ended = verdict.ended.map { ended in
            let runs = "\(ended.runs) \(ended.runs == 1 ? "run" : "runs")"
            let failed = "\(ended.runs) failed \(ended.runs == 1 ? "run" : "runs")"
            let what =
                switch ended.condition {
                case .remoteDown: "the remote answers again after \(failed)"
                case .credentials: "the remote accepts the credentials again after \(failed)"
                case .funds: "no purchase was refused for lack of funds, after \(runs) with such refusals"
                case .serviceSource: "the ServiceSource works again after \(failed)"
                }
            return "\(what) since \(ended.since) UTC"
        }
        return (Self.printsAll(output) ? Set(RepeatingError.Condition.allCases) : verdict.print, ended)
    }
}

/// An error the command chose not to print this run; it still sets the exit code and
/// reaches the log trail.
struct AlreadySaid: Error, CustomStringConvertible {
    let cause: any Error

    var description: String { String(describing: cause) }
}
