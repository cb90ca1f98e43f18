import ArgumentParser
import LicmgrCore

extension ServiceCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List services.")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Include closed services.")
        var all = false

        func run() throws {
            try CommandContext.run(global, command: "service list") { context in
                let registry = try context.registry()
                let store = registry.store
                if context.output.json {
                    try context.output.array { element in
                        try store.forEachService(includeClosed: all) { service in
                            element(
                                .object(Rendering.service(service, licenses: try store.licenses(serviceID: service.id)))
                            )
                        }
                    }
                    return .ok
                }
                let resolver = Resolver(config: registry.config, catalogue: try store.catalogue())
                try Table.print(
                    header: ["ID", "NAME", "IP", "PACKAGE", "PERIOD", "ADDONS", "STATUS", "LICENSES"],
                    to: context.output,
                    empty: (all ? "no services" : "no open services")
                        + "; add them with 'licmgr service add' or 'licmgr service import'"
                ) { row in
                    try store.forEachService(includeClosed: all) { service in
                        let licenses = try store.licenses(serviceID: service.id).filter(\.isLive)
                        row([
                            String(service.id), service.name, service.ip, service.package.map(String.init) ?? "-",
                            resolver.periodName(of: service), Service.addonSummary(service.addons),
                            service.status.rawValue,
                            licenses.isEmpty ? "-" : licenses.map { String($0.id) }.joined(separator: ","),
                        ])
                    }
                }
                return .ok
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one service.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The service id.")
        var id: Int

        func run() throws {
            try CommandContext.run(global, command: "service show") { context in
                let registry = try context.registry()
                try printService(try registry.service(id), registry: registry, output: context.output)
                return .ok
            }
        }
    }
}
