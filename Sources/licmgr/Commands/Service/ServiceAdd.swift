import ArgumentParser
import LicmgrCore

extension ServiceCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Record a new service.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The local billing's service id.")
        var id: Int

        @Option(help: "The service's name, used in the license name 'Item #ID addon NAME'.")
        var name: String

        @Option(help: "The server's IPv4 or IPv6 address, the license's IP.")
        var ip: String

        @Option(help: ArgumentHelp("The local tariff id (matched by ReusePrice).", valueName: "n"))
        var package: Int?

        @Option(help: ArgumentHelp("The local order-period id (months unless a Period line maps it).", valueName: "n"))
        var period: Int?

        @Option(
            help: ArgumentHelp(
                "A license-bearing addon, e.g. panel=Lite or ipmgr=on (repeatable).", valueName: "key=value"))
        var addon: [String] = []

        @Option(help: "The status to record.")
        var status: InitialStatus = .active

        func validate() throws {
            guard id > 0 else { throw ValidationError("the service id must be a positive number") }
        }

        func run() throws {
            try CommandContext.run(global, command: "service add") { context in
                let registry = try context.registry()
                let service = try registry.add(
                    Service(
                        id: id, name: name, ip: ip, package: package, period: period,
                        addons: try ServiceRegistry.parseAddons(addon), status: status.serviceStatus))
                if context.output.json {
                    try printService(service, registry: registry, output: context.output)
                } else {
                    context.output.line("added service \(service.id)")
                }
                return .ok
            }
        }

        /// The statuses a service can be added with: a closed one is only ever closed.
        enum InitialStatus: String, ExpressibleByArgument, CaseIterable {
            case active, suspended

            var serviceStatus: Service.Status { self == .active ? .active : .suspended }
        }
    }
}
