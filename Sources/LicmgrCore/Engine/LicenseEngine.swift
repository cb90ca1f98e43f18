/// Moves the remote toward the desired state. Every remote step that spends money or changes
/// a license is journaled before it is sent and settled after, so that no crash, timeout or
/// kill leads to a second order.
public final class LicenseEngine {
    public let config: Config
    /// What licmgr knows; in a dry run with `scratch`, the copy it plans on once it has read the account.
    public internal(set) var store: any StateStore {
        // What was read from another store says nothing of this one.
        didSet {
            licensesRead = nil
            servicesRead = nil
        }
    }
    public let server: any LicenseServer
    public let time: any TimeSource
    /// The command that runs the engine, for history rows.
    public let command: String
    let keys: any OperationKeySource
    /// Hears each item of a run as it is added, and how far long batches have come.
    public var observer: (any RunObserver)?
    /// Hears each remote step's outcome as it is recorded, for the log trail.
    public var stepLog: (any StepLog)?
    /// While set, `send` skips a step the remote refused for good within `refusalBackOff`.
    var backsOff = false
    /// How long a refused step rests before the cron run tries it again.
    static let refusalBackOff = 3600
    /// The licenses and the services as last read, each with the store's revision then: the
    /// passes of a run share one read while nothing is written. At 100,000 licenses a read of
    /// either table costs a tenth of an idle cron run, which read licenses five times.
    private var licensesRead: (at: StoreRevision, licenses: KnownLicenses)?
    private var servicesRead: (at: StoreRevision, services: [Service])?
    /// Cleared once serving starts, where a run holds most: nothing read after is kept.
    private var keepsReads = true
    /// Read once per engine, that is once per command: only `import-tariffs` changes it.
    private var cachedCatalogue: Catalogue?
    /// The refusals journaled before this run, read at the first step that asks.
    var cachedRefusals: [RemoteOperation]?
    /// Work that can wait is capped per run, so that a cron run after a takeover stays short:
    /// renames that only bring a license's name in line with its service's (thousands at a
    /// takeover; IP moves are never capped) ...
    var renamesPerRun = 1000
    /// ... and reads of licenses still being processed.
    var readsPerRun = 1000
    /// Free-pool candidates viewed this run for their change dates, read `Parallel` at a time
    /// as serving first needs one of a tariff.
    var poolViews: [Int: License] = [:]
    /// The families the last full read of the account listed.
    var listedLines: [ProductLine] = []
    /// Services a dry run takes to be as given here, not as recorded: what a `ServiceSource`
    /// import it did not write would make of them.
    public var assumedServices: [Int: Service] = [:]
    /// A copy of the store a dry run may write: it stores there what the account shows, as
    /// the run stores it before planning, so that it plans from the same records. Without
    /// one, a dry run plans from the records as they are.
    public var scratch: (() throws -> any StateStore)?

    public init(
        config: Config, store: any StateStore, server: any LicenseServer, time: any TimeSource = SystemTime(),
        command: String, keys: any OperationKeySource = RandomOperationKeys()
    ) {
        self.config = config
        self.store = store
        self.server = server
        self.time = time
        self.command = command
        self.keys = keys
    }

    /// Service `id` as the run sees it: as recorded, or as a dry run assumes it.
    func service(_ id: Int) throws -> Service? {
        if let assumed = assumedServices[id] { return assumed }
        return try store.service(id)
    }

    /// The services as the run sees them, in id order.
    func services(includeClosed: Bool) throws -> [Service] {
        guard !assumedServices.isEmpty else { return try recordedServices(includeClosed: includeClosed) }
        var byID = Dictionary(uniqueKeysWithValues: try recordedServices(includeClosed: true).map { ($0.id, $0) })
        byID.merge(assumedServices) { $1 }
        return byID.values.filter { includeClosed || $0.status != .closed }.sorted { $0.id < $1.id }
    }

    /// The services recorded, in id order: read again only once something was written since.
    private func recordedServices(includeClosed: Bool) throws -> [Service] {
        let now = try store.revision()
        let all: [Service]
        if let servicesRead, servicesRead.at == now {
            all = servicesRead.services
        } else {
            servicesRead = nil
            all = try store.services(includeClosed: true)
            if let now, keepsReads { servicesRead = (now, all) }
        }
        // The list read, not a copy, while no service is closed.
        guard !includeClosed, all.contains(where: { $0.status == .closed }) else { return all }
        return all.filter { $0.status != .closed }
    }

    /// Every license recorded, by id: one read for a run's lookups, which the passes after it
    /// share while nothing is written.
    func knownLicenses() throws -> KnownLicenses {
        let now = try store.revision()
        if let licensesRead, licensesRead.at == now { return licensesRead.licenses }
        licensesRead = nil
        // Sized up front: a table of 100,000 licenses that doubles as it fills holds both halves at once.
        var known = KnownLicenses(capacity: try store.licenseCount())
        try store.forEachLicense { known.add($0) }
        if let now, keepsReads { licensesRead = (now, known) }
        return known
    }

    /// Hands over every license recorded, in id order: those `knownLicenses` read while nothing
    /// was written since, else each as the store reads it. Only `knownLicenses` keeps a read:
    /// a pass after a write streams, as a takeover's would hold 100,000 licenses more.
    func forEachLicense(_ body: (License) throws -> Void) throws {
        try forEachLicense(matching: LicenseFilter(), body)
    }

    /// `forEachLicense` for those `filter` matches; from the store, the others are not read.
    func forEachLicense(matching filter: LicenseFilter, _ body: (License) throws -> Void) throws {
        if let licensesRead, try licensesRead.at == store.revision() {
            for license in licensesRead.licenses.values where filter.matches(license) { try body(license) }
            return
        }
        licensesRead = nil
        try store.forEachLicense(matching: filter, body)
    }

    /// Lets go of what was read before something was written since.
    func forgetStaleReads() throws {
        let now = try store.revision()
        if licensesRead?.at != now { licensesRead = nil }
        if servicesRead?.at != now { servicesRead = nil }
    }

    /// Lets go of what was read, and keeps nothing read from now on: the passes after serving
    /// starts read only the few licenses they want, and serving 100,000 services (an item
    /// each, a takeover's plan) holds enough without the run's reads beside it.
    func stopKeepingReads() {
        keepsReads = false
        licensesRead = nil
        servicesRead = nil
    }

    func resolver() throws -> Resolver {
        Resolver(config: config, catalogue: try catalogue())
    }

    func catalogue() throws -> Catalogue {
        if let cachedCatalogue { return cachedCatalogue }
        let catalogue = try store.catalogue()
        cachedCatalogue = catalogue
        return catalogue
    }

    /// One full read of the account: ISPsystem's own licenses always, and the other function
    /// families only where a known license, a service's addon or an order in doubt lives, so
    /// that an account without third-party products costs one list call. An order in doubt is
    /// settled by finding its license in the listing, even once its service no longer needs it.
    func remoteListing(known: KnownLicenses) throws -> [License] {
        let resolver = try resolver()
        var lines: Set<ProductLine> = [.soft]
        for license in known.values where !license.gone { lines.insert(license.line) }
        for operation in try store.operations(state: .pending) where operation.kind == .order {
            if let tariff = operation.params["pricelist"].flatMap({ Int($0) }),
                let line = resolver.line(forTariff: tariff)
            {
                lines.insert(line)
            }
        }
        // Thousands of services share a few sets of addons: each set is resolved once.
        var resolved = Set<[String: String]>()
        for service in try self.services(includeClosed: false) {
            guard resolved.count >= AddonSets.most || resolved.insert(service.addons).inserted else { continue }
            for (key, value) in service.addons {
                if let tariff = try? resolver.tariff(addon: key, value: value),
                    let line = resolver.line(forTariff: tariff)
                {
                    lines.insert(line)
                }
            }
        }
        listedLines = lines.sorted()
        return try resolveTariffNames(server.listLicenses(lines: listedLines), known: known)
    }

    func record(
        _ action: String, result: String, service: Int?, license: Int?, _ detail: String
    ) throws {
        try store.append(
            HistoryEntry(
                at: time.timestamp, command: command, serviceID: service, licenseID: license, action: action,
                result: result, detail: detail))
    }

    /// What a service needs: one remote tariff and period per license-bearing addon. The
    /// period is asked for only where one is bought: a period no line or catalogue can tell
    /// keeps an order from being sent, not a license on the account from being attached.
    struct Need: Equatable {
        var addon: String
        var tariff: Int
        var line: ProductLine
        var periodChoice: Result<Int, ConfigError>

        func period() throws(ConfigError) -> Int { try periodChoice.get() }
    }

    /// Throws the `InputError` or `ConfigError` that keeps an addon from a tariff the remote
    /// sells: nothing is bought blind.
    func needs(of service: Service, resolver: Resolver) throws -> [Need] {
        var needs: [Need] = []
        for (key, value) in service.addons.sorted(by: { $0.key < $1.key }) {
            guard let tariff = try resolver.tariff(addon: key, value: value) else { continue }
            needs.append(
                Need(
                    addon: key, tariff: tariff, line: try resolver.line(forTariff: tariff, addon: key, value: value),
                    periodChoice: Result { () throws(ConfigError) in
                        try resolver.period(local: service.period, tariff: tariff)
                    }))
        }
        return needs
    }
}

/// Makes operation keys; random in production, predictable in unit tests.
public protocol OperationKeySource {
    func next() -> String
}

public struct RandomOperationKeys: OperationKeySource {
    public init() {}

    public func next() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16).leftPadded(to: 16)
        let low = String(generator.next() as UInt32, radix: 16).leftPadded(to: 8)
        return "lm-\(high)\(low)"
    }
}
