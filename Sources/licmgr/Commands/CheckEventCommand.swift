import ArgumentParser
import LicmgrCore

struct CheckEventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkevent",
        abstract: "The cron run: settle, follow services, order what is missing, renew what is due.",
        discussion: """
            Run it every five minutes. With a ServiceSource in the config, it first runs that program \
            and imports what it prints as 'service import --prune' would. It prints nothing when \
            nothing happened (cron mails what is printed); -v tells what it looked at and what the \
            ServiceSource changed. An error that repeats every run (the remote down, the credentials \
            refused, a purchase refused for lack of funds, purchases held by SpendLimit, the \
            ServiceSource failing) is printed when it starts or meets a new cause, at most hourly while it \
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
            var report: RunReport
            let source: ServiceSourceOutcome?
            do {
                let engine = try context.engine()
                mail?.quieten(engine)
                source = try readServiceSource(context)
                // The plan is for the services as the import would leave them; nothing is written.
                if dryRun, let changes = source?.result?.changes {
                    engine.assumedServices = Dictionary(changes.map { ($0.new.id, $0.new) }) { $1 }
                }
                report = try engine.checkEvent(dryRun: dryRun)
            } catch {
                guard let mail else { throw error }
                let (shown, verdict) = mail.filter(error)
                context.hear(verdict)
                throw shown
            }
            report.serviceSource = source
            context.tally(report)
            let (shown, verdict) = mail?.filter(report) ?? (report, nil)
            context.hear(verdict)
            Rendering.print(shown, to: context.output)
            mail?.finish(report, verdict)
            return report.exitStatus
        }
    }

    /// Runs the `ServiceSource`, if the config has one, and imports what it prints; tells each
    /// change (under -v, or as a dry run's plan), and a dry run's failure: a real run's is a
    /// repeating error, said at its end when it is news.
    private func readServiceSource(_ context: CommandContext) throws -> ServiceSourceOutcome? {
        guard let source = ServiceSource(config: context.config, environment: context.programEnvironment()) else {
            return nil
        }
        let outcome = try source.apply(to: try context.registry(), dryRun: dryRun)
        if let failure = outcome.failure {
            // Under --json the document carries it.
            if dryRun && !context.output.json { context.output.error(failure.message) }
        } else if let result = outcome.result {
            for change in result.changes {
                if dryRun {
                    context.output.line(ImportRendering.line(change, dryRun: true))
                } else {
                    context.output.detail(ImportRendering.line(change, dryRun: false, costs: false))
                }
            }
        }
        return outcome
    }
}
