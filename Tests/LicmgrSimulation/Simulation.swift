import Foundation
import LicmgrCore

/// Runs one schedule: the real engine, in this process, against `RemoteModel`, on a real SQLite
/// file, one command at a time as cron and a person would run licmgr. A killed run abandons its
/// engine and store mid-step; the next run opens new ones on the same file. After every run the
/// invariants are checked; after the schedule, faults stop and clean runs go on until the
/// account is quiet, and the invariants are checked again, strictly.
final class Simulation {
    struct Violation: CustomStringConvertible {
        /// The schedule's step at which it was seen; the schedule's length for quiescence.
        var step: Int
        var text: String
        var description: String { "step \(step): \(text)" }
    }

    /// What one schedule did.
    struct Outcome {
        var violations: [Violation] = []
        var runs = 0
        var kills = 0
        var faults: [String: Int] = [:]
        /// What the engine's runs reported doing, by action: how much of the engine a schedule reached.
        var actions: [String: Int] = [:]
        var remoteCalls = 0
        var trace: [String] = []
    }

    /// licmgr.conf as the schedule has it now.
    struct Settings {
        var reUseLicense = false
        var useExistingOnUpgrade = false
        var renewBefore = 1
        var spendLimit: Int?
        var parallel = 1

        func text(database: String) -> String {
            var text = "Database \(database)\n" + SimCatalogue.configLines
            if reUseLicense { text += "Option ReUseLicense\n" }
            if useExistingOnUpgrade { text += "Option UseExistingOnUpgrade\n" }
            text += "RenewBefore \(renewBefore)\nParallel \(parallel)\n"
            if let spendLimit { text += "SpendLimit \(spendLimit)\n" }
            return text
        }
    }

    /// Operation keys `lm-sim-1`, `lm-sim-2`, ...: unique over the whole schedule, as random ones would be.
    final class Keys: OperationKeySource {
        private(set) var count: Int

        init(count: Int = 0) { self.count = count }

        func next() -> String {
            count += 1
            return "lm-sim-\(count)"
        }
    }

    /// Where the databases live: memory-backed when the machine has it, since every commit syncs.
    static let scratch = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()

    let clock = SimClock(day: Day(year: 2025, month: 3, day: 3)!)
    let remote: RemoteModel
    let verbose: Bool
    private let directory: String
    let database: String
    private(set) var settings = Settings()
    private(set) var config: Config
    let keys: Keys
    /// A connection of the simulation's own, for reading what licmgr committed.
    let checker: SQLiteStore
    private var outcome = Outcome()
    private var step = 0

    /// A new world; or, `forking` one, a second world in the same state as that one now, whose
    /// runs leave the first as it was: its database copied, its remote, clock and settings too.
    init(verbose: Bool = false, forking original: Simulation? = nil) throws {
        self.verbose = verbose
        directory = (Self.scratch as NSString).appendingPathComponent("licmgr-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        database = (directory as NSString).appendingPathComponent("licmgr.db")
        if let original {
            clock.seconds = original.clock.seconds
            _ = try DatabaseBackup.copy(database: original.database, to: database, replace: true)
            remote = original.remote.copy(clock: clock)
            settings = original.settings
            keys = Keys(count: original.keys.count)
        } else {
            remote = RemoteModel(clock: clock)
            keys = Keys()
        }
        checker = try SQLiteStore(path: database)
        config = try ConfigParser().parse(settings.text(database: database), path: directory + "/licmgr.conf")
        remote.onCharge = { [unowned self] in judge($0) }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs `schedule`, then quiescence; what it found.
    static func run(_ schedule: [Event], verbose: Bool = false) throws -> Outcome {
        let simulation = try Simulation(verbose: verbose)
        return try simulation.run(schedule)
    }

    func run(_ schedule: [Event]) throws -> Outcome {
        for (index, event) in schedule.enumerated() {
            step = index
            if verbose { outcome.trace.append("\(index): \(event.swift)") }
            try apply(event)
        }
        step = schedule.count
        try quiesce()
        if verbose {
            outcome.trace.append("the remote at the end:")
            for id in remote.entries.keys.sorted() {
                let license = remote.entries[id]!.license
                outcome.trace.append(
                    "   \(id): '\(license.name)' \(license.ip) tariff \(license.pricelist) \(license.status.name), "
                        + "expires \(license.expires?.description ?? "-"), key \(license.key ?? "-")")
            }
        }
        outcome.faults = remote.injected
        outcome.remoteCalls = remote.calls
        return outcome
    }

    // MARK: - Events

    func apply(_ event: Event) throws {
        switch event {
        case .addService(let id, let ip, let package, let period, let addons, let status):
            let service = Service(
                id: id, name: "vps\(id)", ip: ip, package: package, period: period, addons: addons, status: status)
            _ = try? registry().add(service)
        case .setService(let id, let ip, let period, let addons, let now):
            guard (try? registry().set(id, ServiceChange(ip: ip, period: period, addons: addons))) != nil else {
                return
            }
            if let now { run(.follow([id]), now) }
        case .setStatus(let ids, let status, let now):
            let open = try ids.filter { try checker.service($0).map { $0.status != .closed } == true }
            guard !open.isEmpty, (try? registry().setStatus(open, to: status)) != nil else { return }
            if let now { run(.follow(open), now) }
        case .importServices(let omit, let prune):
            let records = try checker.services(includeClosed: false).filter { !omit.contains($0.id) }.map {
                ServiceRecord(service: $0, location: "service \($0.id)")
            }
            _ = try? registry().importServices(records, source: "simulation", prune: prune ? PruneGuard() : nil)
        case .config(let change):
            switch change {
            case .reUseLicense(let on): settings.reUseLicense = on
            case .useExistingOnUpgrade(let on): settings.useExistingOnUpgrade = on
            case .renewBefore(let days): settings.renewBefore = days
            case .spendLimit(let limit): settings.spendLimit = limit
            case .parallel(let count): settings.parallel = count
            }
            config = try ConfigParser().parse(settings.text(database: database), path: directory + "/licmgr.conf")
        case .remote(let change):
            switch change {
            case .balance(let cents): remote.balance = cents
            case .clockSkew(let days): remote.clockSkew = days
            case .freeLicense(let tariff, let rested, let expires):
                let today = remote.today
                remote.add(
                    License(
                        id: 0, name: License.parkedName, ip: License.parkedIP, pricelist: tariff,
                        line: SimCatalogue.item(tariff)?.line ?? .soft, period: 1, status: .suspended,
                        expires: today.adding(days: expires), created: today.adding(days: -400),
                        key: "0ld0wner", ipChanged: today.adding(days: -rested), keyChanged: today.adding(days: -rested)
                    ),
                    tracked: true)
            case .foreignLicense(let tariff, let ip, let name):
                let today = remote.today
                remote.add(
                    License(
                        id: 0, name: name, ip: ip, pricelist: tariff, line: SimCatalogue.item(tariff)?.line ?? .soft,
                        period: 1, status: .active, expires: today.adding(days: 40), created: today.adding(days: -20),
                        key: "byhand", ipChanged: today.adding(days: -20), keyChanged: today.adding(days: -20)),
                    tracked: false)
            }
        case .pass(let minutes):
            clock.pass(minutes: minutes)
        case .run(let command, let faults):
            run(command, faults)
        }
    }

    func registry() throws -> ServiceRegistry {
        ServiceRegistry(config: config, store: try SQLiteStore(path: database), time: clock, command: "service")
    }

    /// One licmgr process: a fresh store and engine, cut off where `faults` says.
    private func run(_ command: Command, _ faults: Faults) {
        let process = SimProcess(killAtStoreCall: faults.killAtStoreCall)
        remote.begin(process, faults: faults)
        outcome.runs += 1
        do {
            let store = KillableStore(try SQLiteStore(path: database), process: process)
            let engine = LicenseEngine(
                config: config, store: store, server: remote, time: clock, command: command.name, keys: keys)
            let report = try execute(command, engine)
            for item in report?.items ?? [] where item.action != .unchanged {
                outcome.actions[item.action.rawValue, default: 0] += 1
            }
            if verbose, let report { trace(command, report) }
        } catch {
            if verbose { outcome.trace.append("   \(command.name): \(process.killed ? "killed" : "\(error)")") }
            if !process.killed && !Self.expected(error) {
                violation("\(command.name) threw \(type(of: error)): \(error)")
            }
        }
        if process.killed {
            outcome.kills += 1
            if process.killedAtStoreCall { remote.count("killAtStoreCall") }
        }
        remote.end()
        if verbose {
            for operation in (try? checker.operations(state: .pending)) ?? [] {
                outcome.trace.append(
                    "   (in doubt: \(operation.kind.rawValue) \(operation.key) of license \(operation.licenseID ?? 0))")
            }
            for workflow in (try? checker.openWorkflows()) ?? [] {
                outcome.trace.append(
                    "   (open: \(workflow.kind.rawValue) of license \(workflow.licenseID), marks \(workflow.marks.map(\.rawValue).sorted()))"
                )
            }
        }
        clock.pass(minutes: 5)
        check(strict: false)
    }

    /// Runs `command` on `engine`; with `dryRun`, its dry run (`sync` has none: it runs).
    func execute(_ command: Command, _ engine: LicenseEngine, dryRun: Bool = false) throws -> RunReport? {
        switch command {
        case .importTariffs:
            _ = try engine.importTariffs(dryRun: dryRun)
            return nil
        case .checkEvent: return try engine.checkEvent(dryRun: dryRun)
        case .order(let ids):
            let open = try ids.filter { try checker.service($0).map { $0.status != .closed } == true }
            return open.isEmpty ? nil : try engine.order(serviceIDs: open, dryRun: dryRun)
        case .renewDue: return try engine.renew(serviceIDs: [], due: true, dryRun: dryRun)
        case .renew(let ids): return try engine.renew(serviceIDs: ids, due: false, dryRun: dryRun)
        case .fixChilds: return try engine.fixChilds(dryRun: dryRun).run
        case .sync: return try engine.sync()
        case .follow(let ids): return try engine.follow(serviceIDs: ids, dryRun: dryRun)
        case .newKey(let service):
            guard let license = try checker.licenses(serviceID: service).first(where: \.isLive) else { return nil }
            return try engine.newKey(license: license.id, dryRun: dryRun)
        }
    }

    /// Errors a run may end with and still be right: the remote failing, bad input.
    private static func expected(_ error: any Error) -> Bool {
        error is RemoteError || error is InputError || error is ConfigError
    }

    private func trace(_ command: Command, _ report: RunReport) {
        for item in report.items where item.action != .unchanged {
            outcome.trace.append("   \(item.action.rawValue): \(item.detail)")
        }
        if let stopped = report.stopped { outcome.trace.append("   stopped: \(stopped)") }
    }

    // MARK: - Quiescence

    /// Faults stop, money comes, the remote's clock is put right, and checkevent runs hourly
    /// (a day passing now and then, for SpendLimit's window) until the account is quiet.
    private func quiesce() throws {
        remote.balance += 10_000_000
        remote.clockSkew = 0
        // A schedule cut short may never have imported the catalogue, without which SpendLimit holds every purchase.
        run(.importTariffs, .clean)
        for round in 0..<60 {
            clock.pass(minutes: round % 12 == 11 ? 1440 : 61)
            run(.checkEvent, .clean)
            if round >= 2 && strictProblems().isEmpty { break }
        }
        for problem in strictProblems() { violation(problem) }
    }

    /// Records a broken promise, once: the same state is seen again after every later run.
    func violation(_ text: String) {
        guard !outcome.violations.contains(where: { $0.text == text }) else { return }
        outcome.violations.append(Violation(step: step, text: text))
        if verbose { outcome.trace.append("   VIOLATION: \(text)") }
    }
}

extension Command {
    var name: String {
        switch self {
        case .importTariffs: "import-tariffs"
        case .checkEvent: "checkevent"
        case .order: "order"
        case .renewDue, .renew: "renew"
        case .fixChilds: "fixchilds"
        case .sync: "sync"
        case .follow: "service"
        case .newKey: "newkey"
        }
    }
}
