import ArgumentParser
import LicmgrCore

struct ServiceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service",
        abstract: "Record the local billing's servers and the license-bearing addons they carry.",
        discussion: "These commands only record the desired state; they never touch the network.",
        subcommands: [Add.self, Set.self, Import.self, Suspend.self, Resume.self, Close.self, List.self, Show.self])
}

/// Prints one service, as text or as the contract's JSON object.
func printService(_ service: Service, registry: ServiceRegistry, output: Output) throws {
    let licenses = try registry.store.licenses(serviceID: service.id)
    if output.json {
        output.document(.object(Rendering.service(service, licenses: licenses)))
        return
    }
    let period = Resolver(config: registry.config, catalogue: try registry.store.catalogue()).periodName(of: service)
    var lines = [
        "service   \(service.id)", "name      \(service.name)", "ip        \(service.ip)",
        "package   \(service.package.map(String.init) ?? "-")", "period    \(period)",
        "addons    \(Service.addonSummary(service.addons))",
        "status    \(service.status.rawValue)",
    ]
    let live = licenses.filter(\.isLive)
    lines.append(
        "licenses  \(live.isEmpty ? "-" : live.map { "\($0.id)" + ($0.addon.map { " (\($0))" } ?? "") }.joined(separator: ", "))"
    )
    output.data(lines.joined(separator: "\n"))
}
