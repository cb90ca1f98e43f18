import ArgumentParser
import LicmgrCore

extension ServiceCommand {
    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change a service's name, IP, package, period or addons.",
            discussion: "The change is recorded here; the remote license follows it on the next run that changes the remote.")

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

        @Option(help: ArgumentHelp("Replaces the whole set of addons (repeatable; '--addon panel=off' for none).", valueName: "key=value"))
        var addon: [String] = []

        func run() throws {
            try CommandContext.run(global, command: "service set") { context in
                let change = ServiceChange(
                    name: name, ip: ip, package: package, period: period,
                    addons: addon.isEmpty ? nil : try ServiceRegistry.parseAddons(addon))
                if change.isEmpty { throw UsageError("nothing to change: give --name, --ip, --package, --period or --addon") }
                let registry = try context.registry()
                let service = try registry.set(id, change)
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
