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
                if context.output.json {
                    let store = registry.store
                    try context.output.array { element in
                        try store.forEachService(includeClosed: all) { service in
                            element(
                                .object(Rendering.service(service, licenses: try store.licenses(serviceID: service.id)))
                            )
                        }
                    }
                    return .ok
                }
                let services = try registry.list(includeClosed: all)
                if !services.isEmpty {
                    let rows = try services.map { service in
                        let licenses = try registry.store.licenses(serviceID: service.id).filter(\.isLive)
                        return [
                            String(service.id), service.name, service.ip, service.package.map(String.init) ?? "-",
                            service.period.map(String.init) ?? "-",
                            Service.addonSummary(service.addons),
                            service.status.rawValue,
                            licenses.isEmpty ? "-" : licenses.map { String($0.id) }.joined(separator: ","),
                        ]
                    }
                    context.output.line(
                        Table.render(
                            header: ["ID", "NAME", "IP", "PACKAGE", "PERIOD", "ADDONS", "STATUS", "LICENSES"],
                            rows: rows))
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
                try printService(try registry.service(id), store: registry.store, output: context.output)
                return .ok
            }
        }
    }
}
