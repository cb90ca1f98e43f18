import ArgumentParser
import LicmgrCore

struct CheckEventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkevent",
        abstract: "The cron run: settle, follow services, order what is missing, renew what is due.",
        discussion: """
            Run it every five minutes. It prints nothing when nothing happened (cron mails what is \
            printed); -v tells what it looked at. An error that repeats every run (the remote down, \
            the credentials refused, a purchase refused for lack of funds, purchases held by \
            SpendLimit) is printed when it starts or meets a new cause, at most hourly while it \
            lasts, and once when it ends; -v, and a run on a terminal, print it every run. A second \
            run while one is active exits 75 at once.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Say what this run would do; change nothing anywhere.")
    var dryRun = false

    func run() throws {
        try CommandContext.run(global, command: "checkevent", locking: true, recorded: !dryRun) { context in
            // A dry run is asked for by hand: it sees every error and counts for nothing.
            let mail =
                dryRun
                ? nil
                : CronMail(
                    hygiene: MailHygiene(store: try context.openStore(), time: context.time, command: "checkevent"),
                    output: context.output)
            let report: RunReport
            do {
                let engine = try context.engine()
                mail?.quieten(engine)
                report = try engine.checkEvent(dryRun: dryRun)
            } catch {
                guard let mail else { throw error }
                let (shown, verdict) = mail.filter(error)
                context.hear(verdict)
                throw shown
            }
            context.tally(report)
            let (shown, verdict) = mail?.filter(report) ?? (report, nil)
            context.hear(verdict)
            Rendering.print(shown, to: context.output)
            mail?.finish(report, verdict)
            return report.exitStatus
        }
    }
}
