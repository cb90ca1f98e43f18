import FoundationEssentials

/// Fields to change on a service; nil leaves a field as it is.
public struct ServiceChange: Sendable, Equatable {
    public var name: String?
    public var ip: String?
    public var package: Int?
    public var period: Int?
    /// Replaces the whole set of addons when given.
    public var addons: [String: String]?
    public var status: Service.Status?

    public init(
        name: String? = nil, ip: String? = nil, package: Int? = nil, period: Int? = nil,
        addons: [String: String]? = nil, status: Service.Status? = nil
    ) {
        self.name = name
        self.ip = ip
        self.package = package
        self.period = period
        self.addons = addons
        self.status = status
    }

    public var isEmpty: Bool { self == ServiceChange() }
}

/// The desired state: services as the local billing describes them. Never touches the
/// network; every change is validated whole and written in one transaction with its history.
public final class ServiceRegistry {
    public let config: Config
    public let store: any StateStore
    public let time: any TimeSource
    public let command: String

    public init(config: Config, store: any StateStore, time: any TimeSource = SystemTime(), command: String) {
        self.config = config
        self.store = store
        self.time = time
        self.command = command
    }

    public func add(_ service: Service) throws -> Service {
        let resolver = Resolver(config: config, catalogue: try store.catalogue())
        let service = try Self.validated(service, resolver: resolver)
        return try store.transaction {
            if try store.service(service.id) != nil { throw InputError.serviceExists(service.id) }
            try store.insert(service, at: time.timestamp)
            try record(service.id, "service add", Self.summary(of: service, resolver: resolver))
            return service
        }
    }

    /// Applies `change` to service `id`; returns the service as it now is.
    public func set(_ id: Int, _ change: ServiceChange) throws -> Service {
        try store.transaction {
            let (current, updated) = try applying(change, to: id)
            if updated != current {
                try store.update(updated, at: time.timestamp)
                let resolver = Resolver(config: config, catalogue: try store.catalogue())
                try record(id, "service set", Self.differences(from: current, to: updated, resolver: resolver))
            }
            return updated
        }
    }

    /// Records a status change for each service; all or none. A closed service stays closed.
    public func setStatus(_ ids: [Int], to status: Service.Status) throws -> [Service] {
        try store.transaction {
            var changed: [Service] = []
            for id in ids {
                guard var service = try changing(id, to: status) else { continue }
                let old = service.status
                service.status = status
                try store.update(service, at: time.timestamp)
                try record(id, "service \(Self.verb(for: status))", "status \(old.rawValue) -> \(status.rawValue)")
                changed.append(service)
            }
            return changed
        }
    }

    /// Checks that `setStatus` would take each id, recording nothing.
    public func validateStatus(_ ids: [Int], to status: Service.Status) throws {
        for id in ids { _ = try changing(id, to: status) }
    }

    /// Service `id` if setting `status` changes it, nil if it has that status already.
    private func changing(_ id: Int, to status: Service.Status) throws -> Service? {
        guard let service = try store.service(id) else { throw InputError.unknownService(id) }
        if service.status == status { return nil }
        if service.status == .closed { throw InputError.closedService(id) }
        return service
    }

    public static func verb(for status: Service.Status) -> String {
        switch status {
        case .active: return "resume"
        case .suspended: return "suspend"
        case .closed: return "close"
        }
    }

    /// Checks that `change` could be applied to service `id`, recording nothing.
    public func validate(_ id: Int, _ change: ServiceChange) throws {
        _ = try applying(change, to: id)
    }

    /// Service `id` as it is and as `change` would leave it, the result checked whole.
    func applying(_ change: ServiceChange, to id: Int) throws -> (current: Service, updated: Service) {
        guard let current = try store.service(id) else { throw InputError.unknownService(id) }
        if current.status == .closed { throw InputError.closedService(id) }
        let updated = try Self.validated(
            Self.applying(change, to: current), resolver: Resolver(config: config, catalogue: try store.catalogue()))
        return (current, updated)
    }

    /// Upserts every service of an import, or none if any is wrong. A record's fields apply to
    /// the service as recorded: what it leaves out stays as it is. A closed service is left
    /// closed and as it is: a record for it may only repeat it. With `prune`, the open services
    /// the import leaves out are closed in the same transaction, unless `PruneGuard` takes the
    /// import for an empty or truncated export. A dry run checks it all and writes nothing.
    /// Each change comes back with the money the next `checkevent` would spend on it.
    public func importServices(
        _ records: [ServiceRecord], source: String, prune: PruneGuard? = nil, dryRun: Bool = false
    ) throws -> ImportResult {
        let resolver = Resolver(config: config, catalogue: try store.catalogue())
        return try store.transaction {
            var seen: [Int: String] = [:]
            var result = ImportResult()
            // Each record's change is made as it is checked, and written once all are checked:
            // 100,000 records are held here once, as the changes they make. Sized once at most
            // one each; the pages of what no change fills are never touched.
            result.changes.reserveCapacity(records.count)
            for record in records {
                if let earlier = seen[record.id] {
                    throw InputError.badImport(
                        source: source, location: record.location,
                        reason: "service \(record.id) appears again (first at \(earlier))")
                }
                seen[record.id] = record.location
                let current = try store.service(record.id)
                let service: Service
                do {
                    service = try Self.validated(record.applied(to: current), resolver: resolver)
                } catch let error as InputError {
                    throw InputError.badImport(source: source, location: record.location, reason: error.description)
                }
                if current == service {
                    result.unchanged += 1
                    continue
                }
                result.changes.append(
                    ImportChange(
                        kind: current == nil ? .added : .changed, old: current, new: service,
                        summary: Self.changeText(from: current, to: service, resolver),
                        costs: try costs(from: current, to: service, resolver: resolver)))
            }
            if let prune {
                let open = try store.services(includeClosed: false)
                result.closed = open.filter { seen[$0.id] == nil }
                try prune.check(closing: result.closed.count, open: open.count, records: records.count, source: source)
            }
            for change in result.changes {
                let service = change.new
                if let current = change.old {
                    if current.status == .closed {
                        throw InputError.badImport(
                            source: source, location: seen[service.id] ?? "",
                            reason:
                                "service \(service.id) is closed; an import never reopens or changes it (\(change.summary))"
                        )
                    }
                    if !dryRun {
                        try store.update(service, at: time.timestamp)
                        try self.record(service.id, "service import", change.summary)
                    }
                    result.changed += 1
                } else {
                    if !dryRun {
                        try store.insert(service, at: time.timestamp)
                        try self.record(service.id, "service import", change.summary)
                    }
                    result.added += 1
                }
            }
            for var service in result.closed {
                let old = service
                service.status = .closed
                result.changes.append(
                    ImportChange(
                        kind: .closed, old: old, new: service, summary: "status \(old.status.rawValue) -> closed",
                        costs: []))
                guard !dryRun else { continue }
                try store.update(service, at: time.timestamp)
                try self.record(
                    service.id, "service close",
                    "status \(old.status.rawValue) -> closed: absent from the export (\(source), --prune)")
            }
            return result
        }
    }

    public func service(_ id: Int) throws -> Service {
        guard let service = try store.service(id) else { throw InputError.unknownService(id) }
        return service
    }

    // MARK: - Validation

    /// `service` checked whole, its IP in the canonical form every comparison relies on.
    /// An addon that resolves only through a `Price` line naming a tariff the catalogue does
    /// not sell throws that line's `ConfigError`; every other fault is an `InputError`.
    static func validated(_ service: Service, resolver: Resolver) throws -> Service {
        guard service.id > 0 else {
            throw InputError.badImport(source: "service", location: nil, reason: "id must be a positive number")
        }
        try validateName(service.name)
        guard let ip = IPAddress.canonical(service.ip) else { throw InputError.badIP(service.ip) }
        var valid = service
        valid.ip = ip
        for (key, value) in service.addons.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty else { throw InputError.badAddon("=\(value)") }
            if let tariff = try resolver.tariff(addon: key, value: value) {
                _ = try resolver.line(forTariff: tariff, addon: key, value: value)
            }
        }
        return valid
    }

    public static func validateName(_ name: String) throws(InputError) {
        if name.isEmpty || name.count > 200 || name.contains(where: { $0.isNewline })
            || name.trimmingBlanks().isEmpty
        {
            throw .badName(name)
        }
    }

    /// Parses `KEY=VALUE` pairs; a later key replaces an earlier one.
    public static func parseAddons(_ pairs: [String]) throws(InputError) -> [String: String] {
        var addons: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else { throw .badAddon(pair) }
            addons[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return addons
    }

    // MARK: - History

    private func record(_ service: Int, _ action: String, _ detail: String) throws {
        try store.append(
            HistoryEntry(
                at: time.timestamp, command: command, serviceID: service, licenseID: nil, action: action, result: "ok",
                detail: detail))
    }

    public static func applying(_ change: ServiceChange, to service: Service) -> Service {
        var updated = service
        if let name = change.name { updated.name = name }
        if let ip = change.ip { updated.ip = ip }
        if let package = change.package { updated.package = package }
        if let period = change.period { updated.period = period }
        if let addons = change.addons { updated.addons = addons }
        if let status = change.status { updated.status = status }
        return updated
    }

    /// Periods in words, as `service show` gives them: the id with what it buys.
    static func summary(of service: Service, resolver: Resolver) -> String {
        var parts = ["name \(service.name)", "ip \(service.ip)"]
        if let package = service.package { parts.append("package \(package)") }
        if service.period != nil { parts.append("period \(resolver.periodName(of: service))") }
        if !service.addons.isEmpty { parts.append("addons \(addonText(service.addons))") }
        parts.append(service.status.rawValue)
        return parts.joined(separator: ", ")
    }

    static func differences(from old: Service, to new: Service, resolver: Resolver) -> String {
        var parts: [String] = []
        func note(_ field: String, _ a: String, _ b: String) { if a != b { parts.append("\(field) \(a) -> \(b)") } }
        note("name", old.name, new.name)
        note("ip", old.ip, new.ip)
        note("package", old.package.map(String.init) ?? "-", new.package.map(String.init) ?? "-")
        if old.period != new.period {
            parts.append("period \(resolver.periodName(of: old)) -> \(resolver.periodName(of: new))")
        }
        note("addons", addonText(old.addons), addonText(new.addons))
        note("status", old.status.rawValue, new.status.rawValue)
        return parts.joined(separator: ", ")
    }

    static func addonText(_ addons: [String: String]) -> String {
        Service.addonSummary(addons)
    }
}

/// What an import did, or would do under `--dry-run`.
public struct ImportResult: Sendable, Equatable {
    public var added = 0
    public var changed = 0
    public var unchanged = 0
    /// Open services the export left out, closed by `--prune`.
    public var closed: [Service] = []
    /// Every service added, changed or closed, in the import's order, the closed last.
    public var changes: [ImportChange] = []

    public init() {}
}

/// Keeps `service import --prune` from taking an empty or truncated export for the truth and
/// closing every service: without an explicit `--prune-max`, an import that holds no service,
/// that would close more than `share` percent of the open services and more than `floor` of
/// them, or more than one and over half of them (a small account's truncated export), is
/// refused whole.
public struct PruneGuard: Sendable, Equatable {
    public static let floor = 5
    public static let share = 10
    /// `--prune-max`: the most services the person running it expects to close.
    public var max: Int?

    public init(max: Int? = nil) { self.max = max }

    func check(closing: Int, open: Int, records: Int, source: String) throws(InputError) {
        guard closing > 0 else { return }
        if let max {
            if closing > max {
                throw .pruneRefused(
                    source: source, closing: closing, open: open, reason: "more than --prune-max \(max)")
            }
            return
        }
        if records == 0 {
            throw .pruneRefused(source: source, closing: closing, open: open, reason: "the export holds no services")
        }
        if closing > Self.floor && closing * 100 > open * Self.share {
            throw .pruneRefused(
                source: source, closing: closing, open: open,
                reason: "more than \(Self.floor) and more than \(Self.share)% of them (is the export whole?)")
        }
        if closing > 1 && closing * 2 > open {
            throw .pruneRefused(
                source: source, closing: closing, open: open, reason: "more than half of them (is the export whole?)")
        }
    }
}

/// One service read from an import: the fields it gives, and where it stood for error
/// messages. A field left nil was not given: a known service keeps it.
public struct ServiceRecord: Sendable, Equatable {
    public var id: Int
    public var name: String?
    public var ip: String?
    /// `.some(nil)`: given as null, so cleared.
    public var package: Int??
    public var period: Int??
    /// Given as null or `{}`: none.
    public var addons: [String: String]?
    public var status: Service.Status?
    public var location: String

    public init(
        id: Int, name: String? = nil, ip: String? = nil, package: Int?? = nil, period: Int?? = nil,
        addons: [String: String]? = nil, status: Service.Status? = nil, location: String
    ) {
        self.id = id
        self.name = name
        self.ip = ip
        self.package = package
        self.period = period
        self.addons = addons
        self.status = status
        self.location = location
    }

    /// A record that gives every field of `service`.
    public init(service: Service, location: String) {
        self.init(
            id: service.id, name: service.name, ip: service.ip, package: .some(service.package),
            period: .some(service.period), addons: service.addons, status: service.status, location: location)
    }

    /// `current` with this record's fields over it; a new service (nil) needs a name and an IP,
    /// and is active unless the record says otherwise.
    public func applied(to current: Service?) throws(InputError) -> Service {
        guard var service = current ?? name.flatMap({ name in ip.map { Service(id: id, name: name, ip: $0) } }) else {
            throw .incompleteService(
                id: id, missing: [name == nil ? "name" : nil, ip == nil ? "ip" : nil].compactMap { $0 })
        }
        if let name { service.name = name }
        if let ip { service.ip = ip }
        if let package { service.package = package }
        if let period { service.period = period }
        if let addons { service.addons = addons }
        if let status { service.status = status }
        return service
    }
}
