import Foundation
import LicmgrCore

/// The simulated clock: seconds since 1970, moved only by the schedule.
final class SimClock: TimeSource, @unchecked Sendable {
    var seconds: Int

    init(day: Day) { seconds = day.ordinal * 86_400 + 9 * 3600 }

    func now() -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    func pass(minutes: Int) { seconds += minutes * 60 }
}

/// Thrown everywhere once the simulated process is killed: nothing after that instant reaches
/// the database or the remote.
struct Killed: Error, CustomStringConvertible {
    var description: String { "the process was killed" }
}

/// One run of licmgr as a process: alive until the schedule kills it at a store call or at a
/// remote call. The store and the remote model both ask it before doing anything.
final class SimProcess {
    private(set) var killed = false
    /// Killed by `killAtStoreCall`, not at a remote call.
    private(set) var killedAtStoreCall = false
    private(set) var storeCalls = 0
    /// Dies at this store call, counted from the run's start.
    let killAtStoreCall: Int?

    init(killAtStoreCall: Int? = nil) { self.killAtStoreCall = killAtStoreCall }

    func kill() { killed = true }

    /// A store call about to be made: counted, and refused once the process is dead.
    func storeCall() throws {
        if !killed, let killAtStoreCall, storeCalls >= killAtStoreCall {
            killed = true
            killedAtStoreCall = true
        }
        storeCalls += 1
        if killed { throw Killed() }
    }

    func alive() throws {
        if killed { throw Killed() }
    }
}

/// The engine's `StateStore` as a killable process sees it: the real SQLite store, cut off at
/// the instant `process` dies. A kill inside a transaction rolls it back, as the real one's
/// journal would; a kill after its body and before its commit too.
final class KillableStore: StateStore {
    let inner: SQLiteStore
    let process: SimProcess

    init(_ inner: SQLiteStore, process: SimProcess) {
        self.inner = inner
        self.process = process
    }

    private func tick() throws { try process.storeCall() }

    private func guarded<A>(_ body: @escaping (A) throws -> Void) -> (A) throws -> Void {
        { [process] value in
            try process.alive()
            try body(value)
        }
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try tick()
        return try inner.transaction {
            let result = try body()
            try tick()
            return result
        }
    }

    func revision() throws -> StoreRevision? {
        try tick()
        return try inner.revision()
    }

    func service(_ id: Int) throws -> Service? {
        try tick()
        return try inner.service(id)
    }

    func services(includeClosed: Bool) throws -> [Service] {
        try tick()
        return try inner.services(includeClosed: includeClosed)
    }

    func forEachService(includeClosed: Bool, _ body: (Service) throws -> Void) throws {
        try tick()
        try withoutActuallyEscaping(body) { body in
            try inner.forEachService(includeClosed: includeClosed, guarded(body))
        }
    }

    func insert(_ service: Service, at: String) throws {
        try tick()
        try inner.insert(service, at: at)
    }

    func update(_ service: Service, at: String) throws {
        try tick()
        try inner.update(service, at: at)
    }

    func license(_ id: Int) throws -> License? {
        try tick()
        return try inner.license(id)
    }

    func licenses(serviceID: Int?) throws -> [License] {
        try tick()
        return try inner.licenses(serviceID: serviceID)
    }

    func allLicenses() throws -> [License] {
        try tick()
        return try inner.allLicenses()
    }

    func licenseCount() throws -> Int {
        try tick()
        return try inner.licenseCount()
    }

    func forEachLicense(_ body: (License) throws -> Void) throws {
        try tick()
        try withoutActuallyEscaping(body) { body in try inner.forEachLicense(guarded(body)) }
    }

    func forEachLicense(matching filter: LicenseFilter, _ body: (License) throws -> Void) throws {
        try tick()
        try withoutActuallyEscaping(body) { body in try inner.forEachLicense(matching: filter, guarded(body)) }
    }

    func save(_ license: License, at: String) throws {
        try tick()
        try inner.save(license, at: at)
    }

    func attach(license: Int, to service: Int?, addon: String?) throws {
        try tick()
        try inner.attach(license: license, to: service, addon: addon)
    }

    func markGone(license: Int, at: String) throws {
        try tick()
        try inner.markGone(license: license, at: at)
    }

    func insert(_ operation: RemoteOperation) throws {
        try tick()
        try inner.insert(operation)
    }

    func finish(operation key: String, state: RemoteOperation.State, licenseID: Int?, result: String, at: String)
        throws
    {
        try tick()
        try inner.finish(operation: key, state: state, licenseID: licenseID, result: result, at: at)
    }

    func operations(state: RemoteOperation.State) throws -> [RemoteOperation] {
        try tick()
        return try inner.operations(state: state)
    }

    func forEachOperation(_ body: (RemoteOperation) throws -> Void) throws {
        try tick()
        try withoutActuallyEscaping(body) { body in try inner.forEachOperation(guarded(body)) }
    }

    func spent(since timestamp: String) throws -> Int {
        try tick()
        return try inner.spent(since: timestamp)
    }

    func insert(_ workflow: Workflow) throws {
        try tick()
        try inner.insert(workflow)
    }

    func update(_ workflow: Workflow, at: String) throws {
        try tick()
        try inner.update(workflow, at: at)
    }

    func openWorkflows() throws -> [Workflow] {
        try tick()
        return try inner.openWorkflows()
    }

    func renewedUntil(license: Int) throws -> Day? {
        try tick()
        return try inner.renewedUntil(license: license)
    }

    func setRenewedUntil(_ day: Day, license: Int) throws {
        try tick()
        try inner.setRenewedUntil(day, license: license)
    }

    func append(_ entry: HistoryEntry) throws {
        try tick()
        try inner.append(entry)
    }

    func history(serviceID: Int?, licenseID: Int?) throws -> [HistoryEntry] {
        try tick()
        return try inner.history(serviceID: serviceID, licenseID: licenseID)
    }

    func forEachHistoryEntry(
        serviceID: Int?, licenseID: Int?, since: Day?, limit: Int?, _ body: (HistoryEntry) throws -> Void
    ) throws {
        try tick()
        try withoutActuallyEscaping(body) { body in
            try inner.forEachHistoryEntry(
                serviceID: serviceID, licenseID: licenseID, since: since, limit: limit, guarded(body))
        }
    }

    func insert(_ run: RunRecord) throws {
        try tick()
        try inner.insert(run)
    }

    func lastRuns() throws -> [String: RunRecord] {
        try tick()
        return try inner.lastRuns()
    }

    func lastSuccessfulRun(of command: String) throws -> RunRecord? {
        try tick()
        return try inner.lastSuccessfulRun(of: command)
    }

    func runTotals() throws -> [RunTotal] {
        try tick()
        return try inner.runTotals()
    }

    func stepTotals() throws -> [StepTotal] {
        try tick()
        return try inner.stepTotals()
    }

    func spentTotal() throws -> Int {
        try tick()
        return try inner.spentTotal()
    }

    func repeatingErrors(command: String) throws -> [RepeatingError] {
        try tick()
        return try inner.repeatingErrors(command: command)
    }

    func save(_ error: RepeatingError) throws {
        try tick()
        try inner.save(error)
    }

    func deleteRepeatingError(command: String, condition: RepeatingError.Condition) throws {
        try tick()
        try inner.deleteRepeatingError(command: command, condition: condition)
    }

    func balance() throws -> BalanceReading? {
        try tick()
        return try inner.balance()
    }

    func balanceAskedAt() throws -> String? {
        try tick()
        return try inner.balanceAskedAt()
    }

    func saveBalance(_ reading: BalanceReading?, askedAt at: String) throws {
        try tick()
        try inner.saveBalance(reading, askedAt: at)
    }

    func catalogue(includeGone: Bool) throws -> Catalogue {
        try tick()
        return try inner.catalogue(includeGone: includeGone)
    }

    func saveCatalogue(_ tariffs: [Tariff], at: String) throws {
        try tick()
        try inner.saveCatalogue(tariffs, at: at)
    }

    func remoteNotes() throws -> [String: String] {
        try tick()
        return try inner.remoteNotes()
    }

    func setRemoteNote(_ note: String?, topic: String, at: String) throws {
        try tick()
        try inner.setRemoteNote(note, topic: topic, at: at)
    }
}
