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
            refused, a purchase refused for lack of funds, the ServiceSource failing) is printed when it starts, \
            at most hourly while it lasts, and once when it ends; -v prints it every run. A second \
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
                source = try readServiceSource(context, printsFailure: mail?.printsSource ?? true)
                // The plan is for the services as the import would leave them; nothing is written.
                if dryRun, let changes = source?.result?.changes {
                    engine.assumedServices = Dictionary(changes.map { ($0.new.id, $0.new) }) { $1 }
                }
                report = try engine.checkEvent(dryRun: dryRun)
            } catch {
                throw mail?.filter(error) ?? error
            }
            report.serviceSource = source
            context.tally(report)
            let (shown, ended) = mail?.filter(report) ?? (report, [])
            Rendering.print(shown, to: context.output)
            // Under --json stdout is the document; stderr still tells a person.
            for line in ended { mail?.say(line) }
            return report.exitStatus
        }
    }

    /// Runs the `ServiceSource`, if the config has one, and imports what it prints; tells each
    /// change (under -v, or as a dry run's plan) and a failure when it is to be printed.
    private func readServiceSource(_ context: CommandContext, printsFailure: Bool) throws -> ServiceSourceOutcome? {
        guard let source = ServiceSource(config: context.config, environment: context.programEnvironment()) else {
            return nil
        }
        let outcome = try source.apply(to: try context.registry(), dryRun: dryRun)
        if let failure = outcome.failure {
            // Under --json the document carries it.
            if printsFailure && !context.output.json { context.output.error(failure.message) }
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
