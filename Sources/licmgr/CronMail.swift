import FoundationEssentials
import Glibc
import LicmgrCore

/// What checkevent prints, cron mails: an error that repeats every run (the remote down, the
/// credentials refused, purchases refused for lack of funds or held by SpendLimit) is printed
/// when it starts or meets a new cause, at most hourly while it lasts, and followed by one
/// line when it ends. `-v` and a person at a terminal see it every run; the exit code,
/// --json and the log trail are the same either way.
struct CronMail {
    let hygiene: MailHygiene
    let output: Output
    /// Whether this run prints every repeating error it meets: -v asks for them, a program
    /// reading --json gets its error document, and a person at a terminal is not cron.
    let printsAll: Bool
    /// Whether a purchase refused for lack of funds is printed as it happens in this run.
    let printsFunds: Bool

    init(hygiene: MailHygiene, output: Output, terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.hygiene = hygiene
        self.output = output
        printsAll = output.verbose || output.json || terminal
        printsFunds = printsAll || (try? hygiene.prints(.funds)) ?? true
    }

    /// Lets `engine`'s live lines leave out what this run is not to print: a funds refusal
    /// mailed within the hour, and each purchase SpendLimit holds (one line says them all).
    func quieten(_ engine: LicenseEngine) {
        guard let live = engine.observer as? LiveRun else { return }
        let (funds, each) = (printsFunds, output.verbose)
        live.holdsBack = { item in
            (item.action == .held && !each) || (!funds && MailHygiene.isFundsRefusal(item))
        }
    }

    /// `error` to throw (itself when it is to be printed, else wrapped as already said), and
    /// what the run record now says of the repeating errors; nil when it could not be kept.
    func filter(_ error: any Error) -> (shown: any Error, verdict: MailHygiene.Verdict?) {
        guard let verdict = try? hygiene.record(MailHygiene.observe(stoppedBy: error)) else { return (error, nil) }
        guard !printsAll, let condition = MailHygiene.condition(of: error), !verdict.print.contains(condition)
        else { return (error, verdict) }
        return (AlreadySaid(cause: error), verdict)
    }

    /// `report` as it is to be printed, and the record's verdict on its repeating errors; nil
    /// when the record cannot be kept, and then everything is printed.
    func filter(_ report: RunReport) -> (shown: RunReport, verdict: MailHygiene.Verdict?) {
        guard let verdict = try? hygiene.record(MailHygiene.observe(report)) else { return (report, nil) }
        var shown = report
        if !printsAll, let stopped = report.stopped, let condition = MailHygiene.condition(of: stopped),
            !verdict.print.contains(condition)
        {
            shown.stopped = nil
        }
        return (shown, verdict)
    }

    /// The lines after the run's own: what SpendLimit held, when it is to be said, and which
    /// repeating errors ended. Under --json stdout is the document; stderr still tells a person.
    func finish(_ report: RunReport, _ verdict: MailHygiene.Verdict?) {
        if let hold = report.spendHold, !output.json,
            printsAll || (verdict.map { $0.print.contains(.spendLimit) } ?? true)
        {
            output.error(hold.description)
        }
        for ended in verdict?.ended ?? [] { say(Self.endLine(ended)) }
    }

    private func say(_ line: String) {
        FileDescriptor.standardError.write("licmgr: \(line)\n")
    }

    /// "the remote answers again after 12 failed runs since 2026-03-01 04:05:00 UTC".
    static func endLine(_ ended: RepeatingError) -> String {
        let runs = "\(ended.runs) \(ended.runs == 1 ? "run" : "runs")"
        let failed = "\(ended.runs) failed \(ended.runs == 1 ? "run" : "runs")"
        let what =
            switch ended.condition {
            case .remoteDown: "the remote answers again after \(failed)"
            case .credentials: "the remote accepts the credentials again after \(failed)"
            case .funds: "no purchase was refused for lack of funds, after \(runs) with such refusals"
            case .spendLimit: "SpendLimit holds no purchase any more, after \(runs) that held some"
            }
        return "\(what) since \(ended.since) UTC"
    }
}

/// An error the command chose not to print this run; it still sets the exit code and
/// reaches the log trail.
struct AlreadySaid: Error, CustomStringConvertible {
    let cause: any Error

    var description: String { String(describing: cause) }
}
