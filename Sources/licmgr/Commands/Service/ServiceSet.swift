import ArgumentParser
import LicmgrCore

extension ServiceCommand {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a service's name, IP, package, period or addons.",
            discussion: "The change is recorded; the license follows it on the next checkevent, or at once with --now.")

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
            try CommandContext.run(global, command: "service set", locking: now) { context in
                let change = ServiceChange(
                    name: name, ip: ip, package: package, period: period,
                    addons: addon.isEmpty ? nil : try ServiceRegistry.parseAddons(addon))
                if change.isEmpty {
                    throw UsageError("nothing to change: give --name, --ip, --package, --period or --addon")
                }
                let registry = try context.registry()
                if dryRun {
                    try registry.validate(id, change)
                    let report = try context.engine().follow(serviceIDs: [id], dryRun: true, assuming: change)
                    Rendering.print(report, to: context.output)
                    return report.exitStatus
                }
                let service = try registry.set(id, change)
                if now {
                    context.output.line("updated service \(service.id)")
                    let report = try context.engine().follow(serviceIDs: [id], dryRun: false)
                    Rendering.print(report, to: context.output)
                    return report.exitStatus
                }
                if context.output.json {
                    try printService(service, store: registry.store, output: context.output)
                } else {
                    context.output.line("updated service \(service.id)")
                }
                return .ok
            }
        }
    }
}
