import Foundation
import LicmgrCore

/// What checkevent prints, cron mails: an error that repeats every run (the remote down, the
/// credentials refused, purchases refused for lack of funds) is printed when it starts, at
/// most hourly while it lasts, and followed by one line when it ends. `-v` prints every run;
/// the exit code, --json and the log trail are the same either way.
struct CronMail {
    let hygiene: MailHygiene
    let output: Output

    /// `error` to throw: itself when it is to be printed, else wrapped as already said.
    func filter(_ error: any Error) -> any Error {
        guard let verdict = record(MailHygiene.observe(stoppedBy: error)),
            let condition = MailHygiene.condition(of: error), !verdict.print.contains(condition)
        else { return error }
        return AlreadySaid(cause: error)
    }

    /// `report` as it is to be printed.
    func filter(_ report: RunReport) -> RunReport {
        guard let verdict = record(MailHygiene.observe(report)) else { return report }
        var shown = report
        if let stopped = report.stopped, let condition = MailHygiene.condition(of: stopped),
            !verdict.print.contains(condition)
        {
            shown.stopped = nil
        }
        if !verdict.print.contains(.funds) { shown.items.removeAll(where: MailHygiene.isFundsRefusal) }
        return shown
    }

    /// Records the run and says what ended; nil when the record cannot be kept, and then
    /// everything is printed.
    private func record(_ observation: MailHygiene.Observation) -> MailHygiene.Verdict? {
        guard var verdict = try? hygiene.record(observation) else { return nil }
        for ended in verdict.ended {
            let runs = "\(ended.runs) \(ended.runs == 1 ? "run" : "runs")"
            let failed = "\(ended.runs) failed \(ended.runs == 1 ? "run" : "runs")"
            let what =
                switch ended.condition {
                case .remoteDown: "the remote answers again after \(failed)"
                case .credentials: "the remote accepts the credentials again after \(failed)"
                case .funds: "no purchase was refused for lack of funds, after \(runs) with such refusals"
                }
            // Under --json stdout is the document; stderr still tells a person.
            FileHandle.standardError.write(Data("licmgr: \(what) since \(ended.since) UTC\n".utf8))
        }
        // -v asks for every error, and a program reading --json gets its error document.
        if output.verbose || output.json { verdict.print = Set(RepeatingError.Condition.allCases) }
        return verdict
    }
}

/// An error the command chose not to print this run; it still sets the exit code and
/// reaches the log trail.
struct AlreadySaid: Error, CustomStringConvertible {
    let cause: any Error

    var description: String { String(describing: cause) }
}
