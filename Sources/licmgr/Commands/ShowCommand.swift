import ArgumentParser
import LicmgrCore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one license: name, key, IP, tariff, period, status, expiry, service.",
        discussion: "A key still empty after ordering is fetched from the remote.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A license id.")
    var license: Int?

    @Option(help: ArgumentHelp("The license of this service instead.", valueName: "id"))
    var service: Int?

    @Option(help: ArgumentHelp("With --service, which addon's license, when it has several.", valueName: "key"))
    var addon: String?

    func validate() throws {
        if (license == nil) == (service == nil) {
            throw ValidationError("give either a license id or --service ID")
        }
        if addon != nil && service == nil {
            throw ValidationError("--addon goes with --service")
        }
    }

    func run() throws {
        try CommandContext.run(global, command: "show") { context in
            let store = try context.readStore()
            var found = try lookUp(store)
            if found.key == nil, found.isLive {
                do {
                    let viewed = try context.server().viewLicense(found.id, line: found.line)
                    found.key = viewed.key
                    found.ipChanged = viewed.ipChanged ?? found.ipChanged
                    found.keyChanged = viewed.keyChanged ?? found.keyChanged
                } catch {
                    context.output.warning("the key of license \(found.id) could not be fetched: \(error)")
                }
                if found.key != nil {
                    // Kept for next time by a user who may write the database; a reader is shown it.
                    do {
                        try context.openStore().save(found, at: context.time.timestamp)
                    } catch {
                        context.output.warning("the key of license \(found.id) was not kept: \(error)")
                    }
                }
            }
            let catalogue = try store.catalogue()
            let tariffName = catalogue.tariffs[found.pricelist]?.name
            if context.output.json {
                var object = Rendering.license(found, withKey: true)
                object.set("tariff_name", JSONValue(tariffName))
                object.set("created", JSONValue(found.created?.description))
                context.output.document(.object(object))
            } else {
                var fields: [(String, String)] = [
                    ("license", String(found.id)), ("name", found.name), ("key", found.key ?? "-"), ("ip", found.ip),
                    ("tariff", tariffName.map { "\(found.pricelist) (\($0))" } ?? String(found.pricelist)),
                    ("family", found.line.rawValue),
                    ("period", catalogue.periodName(found.period, of: found.pricelist)),
                    ("status", found.gone ? "gone from the remote" : found.status.name),
                    ("expires", found.expires?.description ?? "-"),
                    (
                        "service",
                        found.serviceID.map { "\($0)" + (found.addon.map { " (addon \($0))" } ?? "") } ?? "none (free)"
                    ),
                ]
                if found.isLive, found.isParked, found.serviceID == nil {
                    fields.append(
                        ("reusable", Rendering.reusable(FreePool.reusability(found, today: context.time.today))))
                }
                context.output.data(
                    fields.map { "\($0.0.padded(to: 8)) \($0.1)" }
                        .joined(separator: "\n"))
            }
            return .ok
        }
    }

    private func lookUp(_ store: SQLiteStore) throws -> License {
        if let license {
            guard let found = try store.license(license) else { throw InputError.unknownLicense(String(license)) }
            return found
        }
        let id = service!
        guard try store.service(id) != nil else { throw InputError.unknownService(id) }
        let candidates = try store.licenses(serviceID: id).filter { addon == nil || $0.addon == addon }
        let live = candidates.filter(\.isLive)
        guard let first = live.first ?? candidates.last else {
            throw InputError.unknownLicense("of service \(id)" + (addon.map { " addon \($0)" } ?? ""))
        }
        if live.count > 1 {
            let addons = live.compactMap(\.addon).joined(separator: ", ")
            throw UsageError("service \(id) has \(live.count) licenses (addons \(addons)); name one with --addon")
        }
        return first
    }
}
