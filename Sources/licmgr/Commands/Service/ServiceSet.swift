import ArgumentParser
import LicmgrCore

extension ServiceCommand {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a service's name, IP, package, period or addons.",
            discussion: """
                The change is recorded; the license follows it on the next checkevent, or at once with --now. \
                A new period is sent nowhere: each license renews for it from its next renewal, which the \
                command names, with the price once the catalogue is imported.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The service id.")
        var id: Int

        @Option(help: "New name.")
        var name: String?

        @Option(help: "New IP address.")
        var ip: String?

        @Option(help: ArgumentHelp("New local tariff id.", valueName: "n"))
        var package: Int?

        @Option(help: ArgumentHelp("New local order-period id.", valueName: "n"))
        var period: Int?

        @Option(
            help: ArgumentHelp(
                "Replaces the whole set of addons (repeatable; '--addon panel=off' for none).", valueName: "key=value"))
        var addon: [String] = []

        @Flag(help: "Carry the change to the remote license now, not on the next checkevent.")
        var now = false

        @Flag(help: "With --now: say what would be done to the license; change nothing anywhere.")
        var dryRun = false

        func validate() throws {
            if dryRun && !now { throw ValidationError("--dry-run goes with --now") }
        }

        func run() throws {
            try CommandContext.run(global, command: "service set", locking: now, recorded: now && !dryRun) { context in
                let change = ServiceChange(
                    name: name, ip: ip, package: package, period: period,
                    addons: addon.isEmpty ? nil : try ServiceRegistry.parseAddons(addon))
                if change.isEmpty {
                    throw UsageError("nothing to change: give --name, --ip, --package, --period or --addon")
                }
                let registry = try context.registry()
                // A new period is checked and explained before anything is recorded.
                let effects = try registry.periodEffects(of: id, change)
                // Text prints them as lines of their own; the run's JSON document carries them as notes.
                func finish(_ run: RunReport) -> ExitStatus {
                    var run = run
                    context.tally(run)
                    if context.output.json { run.prepend(notes: effects) }
                    Rendering.print(run, to: context.output)
                    return run.exitStatus
                }
                if dryRun {
                    try registry.validate(id, change)
                    for effect in effects { context.output.line(effect) }
                    return finish(try context.engine().follow(serviceIDs: [id], dryRun: true, assuming: change))
                }
                let service = try registry.set(id, change)
                if now {
                    context.output.line("updated service \(service.id)")
                    for effect in effects { context.output.line(effect) }
                    return finish(try context.engine().follow(serviceIDs: [id], dryRun: false))
                }
                if context.output.json {
                    try printService(service, registry: registry, output: context.output)
                } else {
                    context.output.line("updated service \(service.id)")
                    for effect in effects { context.output.line(effect) }
                }
                return .ok
            }
        }
    }
}
