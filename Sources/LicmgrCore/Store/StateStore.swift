/// What the engine keeps between runs: services, known licenses, the journal, history and
/// the tariff catalogue. `SQLiteStore` is the one implementation; the protocol is the seam.
public protocol StateStore: AnyObject {
    /// Runs `body` as one transaction: all of its writes land, or none do.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Where the store stands, so that what a run read can serve it again while nothing was
    /// written since; nil when that cannot be told (inside a transaction).
    func revision() throws -> StoreRevision?

    func service(_ id: Int) throws -> Service?
    func services(includeClosed: Bool) throws -> [Service]
    /// Hands over the services in id order one at a time, holding none of them after.
    func forEachService(includeClosed: Bool, _ body: (Service) throws -> Void) throws
    func insert(_ service: Service, at: String) throws
    func update(_ service: Service, at: String) throws

    func license(_ id: Int) throws -> License?
    func licenses(serviceID: Int?) throws -> [License]
    func allLicenses() throws -> [License]
    /// How many licenses are recorded, so that a map of them is sized once.
    func licenseCount() throws -> Int
    /// Hands over every license in id order one at a time, holding none of them after.
    func forEachLicense(_ body: (License) throws -> Void) throws
    /// `forEachLicense` for the licenses `filter` matches: the others are passed over unread.
    func forEachLicense(matching filter: LicenseFilter, _ body: (License) throws -> Void) throws
    /// Inserts the license or replaces the known remote fields, keeping its attachment.
    func save(_ license: License, at: String) throws
    func attach(license: Int, to service: Int?, addon: String?) throws
    func markGone(license: Int, at: String) throws

    func insert(_ operation: RemoteOperation) throws
    func finish(operation key: String, state: RemoteOperation.State, licenseID: Int?, result: String, at: String) throws
    func operations(state: RemoteOperation.State) throws -> [RemoteOperation]
    /// Hands over every journaled step one at a time, oldest first; of steps journaled in the
    /// same second, those in doubt come first, then failed, void and done ones, each kind in
    /// the order journaled.
    func forEachOperation(_ body: (RemoteOperation) throws -> Void) throws
    /// The cost, in ten-thousandths (`Money`), of the steps sent since `timestamp` that may have been paid.
    func spent(since timestamp: String) throws -> Int

    func insert(_ workflow: Workflow) throws
    /// Records the workflow's state and the steps it has marked done.
    func update(_ workflow: Workflow, at: String) throws
    func openWorkflows() throws -> [Workflow]

    /// licmgr's own record of the term its last renewal of the license bought, whatever the remote shows.
    func renewedUntil(license: Int) throws -> Day?
    func setRenewedUntil(_ day: Day, license: Int) throws

    func append(_ entry: HistoryEntry) throws
    func history(serviceID: Int?, licenseID: Int?) throws -> [HistoryEntry]
    /// Hands over the entries `history` returns one at a time, holding none of them after,
    /// oldest first: only those of `since` (a UTC day) or later, and of those the last `limit`.
    func forEachHistoryEntry(
        serviceID: Int?, licenseID: Int?, since: Day?, limit: Int?, _ body: (HistoryEntry) throws -> Void
    ) throws

    /// Records a finished run of a command that reached for the remote.
    func insert(_ run: RunRecord) throws
    /// The last run of each command, by command name.
    func lastRuns() throws -> [String: RunRecord]
    /// The last run of `command` that exited 0.
    func lastSuccessfulRun(of command: String) throws -> RunRecord?
    /// How many runs of each command ended with each exit code, ever: counters, derived from
    /// the run record so that they survive every run and only grow.
    func runTotals() throws -> [RunTotal]
    /// How many journaled steps of each kind ended in each state (`done`, `failed`, `void`),
    /// ever; those in doubt are left out until settled, so each total only grows.
    func stepTotals() throws -> [StepTotal]
    /// The cost, in ten-thousandths (`Money`), of every priced step that was applied, ever.
    func spentTotal() throws -> Int

    /// The errors `command` has met on every run since they began.
    func repeatingErrors(command: String) throws -> [RepeatingError]
    /// Adds or replaces the row of `error`'s command and condition.
    func save(_ error: RepeatingError) throws
    /// Forgets an error that is over.
    func deleteRepeatingError(command: String, condition: RepeatingError.Condition) throws

    /// The account balance as last read; nil if it never was.
    func balance() throws -> BalanceReading?
    /// When the balance was last asked for, whether or not the answer could be read.
    func balanceAskedAt() throws -> String?
    /// Records that the balance was asked for at `at`, and what was read: nil keeps the last reading.
    func saveBalance(_ reading: BalanceReading?, askedAt at: String) throws

    /// The imported tariff catalogue; `includeGone` adds tariffs the remote stopped listing.
    func catalogue(includeGone: Bool) throws -> Catalogue
    /// Replaces the catalogue: updates listed tariffs, marks the others gone.
    func saveCatalogue(_ tariffs: [Tariff], at: String) throws

    /// What licmgr last said of the remote's ways, by topic (`paging:soft`).
    func remoteNotes() throws -> [String: String]
    /// Records `note` under `topic`; nil forgets the topic.
    func setRemoteNote(_ note: String?, topic: String, at: String) throws
}

extension StateStore {
    public func catalogue() throws -> Catalogue { try catalogue(includeGone: false) }
}

/// A point in a store's history: equal revisions of one store mean nothing recorded changed
/// between them.
public struct StoreRevision: Equatable, Sendable {
    var written: Int
    var committedElsewhere: Int
}

/// Which licenses a filtered read hands over. It may hand over more (one whose expiry cannot
/// be read, say): a caller still checks each license it is given.
public struct LicenseFilter: Sendable {
    /// Only licenses attached to a service.
    public var attached: Bool
    /// Only licenses that expire on this day or before.
    public var expiringBy: Day?
    /// Only licenses in one of these states.
    public var statuses: [License.Status]?

    public init(attached: Bool = false, expiringBy: Day? = nil, statuses: [License.Status]? = nil) {
        self.attached = attached
        self.expiringBy = expiringBy
        self.statuses = statuses
    }

    /// Whether `license` passes, as the store's own reading of the filter has it.
    public func matches(_ license: License) -> Bool {
        if attached && license.serviceID == nil { return false }
        if let expiringBy, !(license.expires.map { $0 <= expiringBy } ?? false) { return false }
        if let statuses, !statuses.contains(license.status) { return false }
        return true
    }
}
