import LicmgrCore

/// Draws a schedule from a seed: an account to take over, services coming, changing and going,
/// config changes, days passing, licmgr's runs, and the faults each run meets. Only what is
/// drawn here depends on the seed; running the schedule leaves nothing else to chance.
struct Workload {
    private var chance: SplitMix64
    private var events: [Event] = []
    private var services: [Int: Service.Status] = [:]
    private var ips: [Int: String] = [:]
    private var nextService = 1
    private var nextIP = 1

    /// How many steps follow the account's set-up.
    static let defaultLength = 70

    static func schedule(seed: UInt64, length: Int = defaultLength) -> [Event] {
        var workload = Workload(chance: SplitMix64(seed: seed))
        workload.setUp()
        for _ in 0..<length { workload.step() }
        return workload.events
    }

    private mutating func setUp() {
        events.append(.config(.reUseLicense(chance.chance(60))))
        events.append(.config(.useExistingOnUpgrade(chance.chance(40))))
        events.append(.config(.renewBefore(chance.pick([1, 1, 3, 10]))))
        events.append(.config(.parallel(chance.pick([1, 2, 4]))))
        if chance.chance(15) { events.append(.config(.spendLimit(chance.pick([400, 1000])))) }
        for _ in 0..<chance.between(1, 4) { events.append(.remote(freeLicense())) }
        for _ in 0..<chance.between(2, 5) { addService(takeover: true) }
        events.append(.run(.importTariffs, .clean))
        events.append(.run(chance.chance(50) ? .fixChilds : .checkEvent, faults()))
    }

    private mutating func step() {
        let open = services.keys.sorted().filter { services[$0] != .closed }
        let active = open.filter { services[$0] == .active }
        let suspended = open.filter { services[$0] == .suspended }
        switch chance.weighted([
            (40, "checkevent"), (8, "order"), (5, "renew due"), (3, "renew"), (5, "fixchilds"), (2, "sync"),
            (2, "newkey"), (8, "add"), (5, "set ip"), (6, "set addons"), (2, "set period"), (5, "suspend"),
            (4, "resume"), (4, "close"), (2, "import"), (5, "config"), (6, "remote"), (10, "days"), (5, "hours"),
        ]) {
        case "checkevent": events.append(.run(.checkEvent, faults()))
        case "order" where !active.isEmpty: events.append(.run(.order(some(of: active)), faults()))
        case "renew due": events.append(.run(.renewDue, faults()))
        case "renew" where !active.isEmpty: events.append(.run(.renew(some(of: active)), faults()))
        case "fixchilds": events.append(.run(.fixChilds, faults()))
        case "sync": events.append(.run(.sync, faults()))
        case "newkey" where !open.isEmpty: events.append(.run(.newKey(service: chance.pick(open)), faults()))
        case "add": addService(takeover: chance.chance(15))
        case "set ip" where !open.isEmpty: setIP(of: chance.pick(open), now: now())
        case "set addons" where !open.isEmpty:
            events.append(.setService(chance.pick(open), ip: nil, period: nil, addons: addons(), now: now()))
        case "set period" where !open.isEmpty:
            events.append(.setService(chance.pick(open), ip: nil, period: period(), addons: nil, now: now()))
        case "suspend" where !active.isEmpty: setStatus(some(of: active), .suspended, now: now())
        case "resume" where !suspended.isEmpty: setStatus(some(of: suspended), .active, now: now())
        case "close" where !open.isEmpty: setStatus([chance.pick(open)], .closed, now: now())
        case "import" where open.count > 1:
            let omit = chance.chance(60) ? [chance.pick(open)] : []
            let prune = chance.chance(70)
            events.append(.importServices(omit: omit, prune: prune))
            if prune { for id in omit { services[id] = .closed } }
        case "config":
            events.append(
                .config(
                    chance.weighted([
                        (3, .reUseLicense(chance.chance(50))), (2, .useExistingOnUpgrade(chance.chance(50))),
                        (2, .renewBefore(chance.pick([1, 3, 10]))), (1, .spendLimit(chance.pick([nil, 400, 1000]))),
                        (2, .parallel(chance.pick([1, 2, 4]))),
                    ])))
        case "remote":
            events.append(
                .remote(
                    chance.weighted([
                        (3, .balance(500)), (3, .balance(1_000_000)),
                        (2, .clockSkew(days: chance.pick([-10, -3, 0, 2]))),
                        (3, freeLicense()),
                    ])))
        case "days": events.append(.pass(minutes: chance.between(1, 12) * 1440))
        case "hours": events.append(.pass(minutes: chance.between(1, 6) * 60))
        default: events.append(.run(.checkEvent, faults()))
        }
    }

    // MARK: - Drawing

    private mutating func addService(takeover: Bool) {
        let id = nextService
        nextService += 1
        let ip = freshIP()
        let addons = addons()
        let package = chance.chance(60) ? 12 : 5
        if takeover, let panel = addons["panel"].flatMap({ SimCatalogue.tariff(addon: "panel", value: $0) }) {
            // Bought by hand before licmgr: the same tariff (attached), or another edition (moved, or,
            // where the pool serves first, left beside the pool's license until a tariff change takes it).
            let tariff = chance.chance(60) ? panel : chance.pick([55227, 55228, 55229].filter { $0 != panel })
            events.append(.remote(.foreignLicense(tariff: tariff, ip: ip, name: "vps\(id) by hand")))
        }
        let status: Service.Status = chance.chance(10) ? .suspended : .active
        services[id] = status
        ips[id] = ip
        events.append(
            .addService(
                id, ip: ip, package: package, period: period(), addons: addons, status: status))
    }

    private mutating func setStatus(_ ids: [Int], _ status: Service.Status, now: Faults?) {
        for id in ids { services[id] = status }
        events.append(.setStatus(ids, status, now: now))
    }

    private mutating func setIP(of id: Int, now: Faults?) {
        let ip = freshIP()
        ips[id] = ip
        events.append(.setService(id, ip: ip, period: nil, addons: nil, now: now))
    }

    private mutating func freshIP() -> String {
        defer { nextIP += 1 }
        return "10.0.\(nextIP / 250).\(nextIP % 250 + 1)"
    }

    private mutating func addons() -> [String: String] {
        var addons = ["panel": chance.weighted([(45, "Lite"), (25, "Pro"), (10, "Host"), (20, "nopanel")])]
        if chance.chance(30) { addons["cloudlinux"] = "on" }
        return addons
    }

    private mutating func period() -> Int? { chance.pick([1, 1, 12, nil]) }

    private mutating func freeLicense() -> RemoteChange {
        .freeLicense(
            tariff: chance.pick([55227, 55227, 55228, 9203]), restedDays: chance.pick([45, 90, 90, 10]),
            expiresInDays: chance.pick([200, 60, 20, -5]))
    }

    private mutating func some(of ids: [Int]) -> [Int] {
        let first = chance.pick(ids)
        guard chance.chance(30), let second = ids.filter({ $0 != first }).first else { return [first] }
        return [first, second].sorted()
    }

    /// `--now` on half of the service commands.
    private mutating func now() -> Faults? { chance.chance(50) ? faults() : nil }

    private mutating func faults() -> Faults {
        var faults = Faults(seed: chance.next())
        if chance.chance(50) {
            for _ in 0..<chance.between(1, 3) {
                let kind: CallFault = chance.weighted([
                    (10, .refused), (12, .lostAnswer), (6, .timedOut), (6, .appliedLate), (4, .serverError),
                    (4, .serverErrorApplied), (3, .garbage), (3, .garbageApplied), (5, .deadSession),
                    (6, .killBefore), (8, .killAfter), (2, .shortListing), (2, .emptyListing),
                    (2, .shiftedListing), (2, .wrongTotal), (3, .hiddenListing), (6, .keyless),
                ])
                if kind.listingOnly {
                    // A run lists the account once, first.
                    faults.reads[0] = kind
                } else if chance.chance(25) {
                    faults.reads[chance.below(4)] = kind
                } else {
                    faults.changes[chance.below(4)] = kind
                }
            }
        }
        if chance.chance(10) { faults.killAtStoreCall = chance.below(100) }
        return faults
    }
}

// MARK: - States for the plan check

extension Workload {
    /// A state to set each command's dry run beside its run on (issue 19), and those commands.
    struct PlanState {
        /// How the state comes about: the account, services in every status, the free pool,
        /// licenses bought by hand, changes not yet carried to the remote, days passing. Every run
        /// in it is fault-free, so that the state is what the engine made of it, nothing in doubt.
        var events: [Event]
        /// Each command with a dry run, to be tried on the state as `events` leave it: `.run`,
        /// and `service set|suspend|resume|close --now` as `.setService` and `.setStatus`.
        var checks: [Event]
        /// A lower cap on the renames a run makes than the engine's, so that states reach it.
        var renamesPerRun: Int?
    }

    static func planState(seed: UInt64) -> PlanState {
        var workload = Workload(chance: SplitMix64(seed: seed))
        return workload.drawPlanState()
    }

    private mutating func drawPlanState() -> PlanState {
        events.append(.config(.reUseLicense(chance.chance(60))))
        events.append(.config(.useExistingOnUpgrade(chance.chance(50))))
        events.append(.config(.renewBefore(chance.pick([1, 3, 10]))))
        events.append(.config(.parallel(chance.pick([1, 2, 4]))))
        if chance.chance(20) { events.append(.config(.spendLimit(chance.pick([40, 100, 400])))) }
        // Fewer free licenses than services of the reusing package, often: the pool is scarce.
        for _ in 0..<chance.between(0, 3) { events.append(.remote(freeLicense())) }
        for _ in 0..<chance.between(1, 5) { addService(takeover: chance.chance(30)) }
        events.append(.run(.importTariffs, .clean))
        if chance.chance(70) { events.append(.run(chance.chance(50) ? .fixChilds : .checkEvent, .clean)) }
        for _ in 0..<chance.between(0, 6) { planStateStep() }
        let renamesPerRun = chance.chance(25) ? chance.pick([1, 2]) : nil

        let all = services.keys.sorted()
        let open = all.filter { services[$0] != .closed }
        var checks: [Event] = [.run(.checkEvent, .clean), .run(.renewDue, .clean), .run(.fixChilds, .clean)]
        if !open.isEmpty {
            checks.append(.run(.order(chance.chance(50) ? open : some(of: open)), .clean))
            checks.append(.run(.renew(some(of: open)), .clean))
            checks.append(.run(.newKey(service: chance.pick(open)), .clean))
        }
        if !all.isEmpty { checks.append(.run(.follow(some(of: all)), .clean)) }
        if let change = serviceChange(now: .clean) { checks.append(change) }
        return PlanState(events: events, checks: checks, renamesPerRun: renamesPerRun)
    }

    private mutating func planStateStep() {
        switch chance.weighted([
            (4, "checkevent"), (4, "add"), (6, "change"), (3, "free"), (3, "by hand"), (6, "days"), (2, "hours"),
            (3, "config"),
        ]) {
        case "checkevent": events.append(.run(.checkEvent, .clean))
        case "add": addService(takeover: chance.chance(30))
        case "change":
            if let change = serviceChange(now: nil) { events.append(change) }
        case "free": events.append(.remote(freeLicense()))
        case "by hand":
            // On a service's IP: the license it needs, another edition of it, or another product.
            let open = services.keys.sorted().filter { services[$0] != .closed }
            guard !open.isEmpty, let ip = ips[chance.pick(open)] else { return }
            let tariff = chance.pick([55227, 55228, 55229, 9203])
            events.append(.remote(.foreignLicense(tariff: tariff, ip: ip, name: "bought by hand")))
        case "days": events.append(.pass(minutes: chance.between(1, 40) * 1440))
        case "hours": events.append(.pass(minutes: chance.between(1, 6) * 60))
        default:
            events.append(
                .config(
                    chance.weighted([
                        (3, .reUseLicense(chance.chance(50))), (3, .useExistingOnUpgrade(chance.chance(50))),
                        (1, .renewBefore(chance.pick([1, 3, 10]))), (2, .spendLimit(chance.pick([nil, 40, 400]))),
                    ])))
        }
    }

    /// `service set|suspend|resume|close` of one or two services, carried out `now` or left for
    /// the next run; nil when no service can take the change drawn.
    private mutating func serviceChange(now: Faults?) -> Event? {
        let open = services.keys.sorted().filter { services[$0] != .closed }
        let active = open.filter { services[$0] == .active }
        let suspended = open.filter { services[$0] == .suspended }
        switch chance.weighted([(5, "ip"), (6, "addons"), (2, "period"), (4, "suspend"), (3, "resume"), (3, "close")]) {
        case "ip" where !open.isEmpty:
            setIP(of: chance.pick(open), now: now)
        case "addons" where !open.isEmpty:
            events.append(.setService(chance.pick(open), ip: nil, period: nil, addons: addons(), now: now))
        case "period" where !open.isEmpty:
            events.append(.setService(chance.pick(open), ip: nil, period: period(), addons: nil, now: now))
        case "suspend" where !active.isEmpty: setStatus(some(of: active), .suspended, now: now)
        case "resume" where !suspended.isEmpty: setStatus(some(of: suspended), .active, now: now)
        case "close" where !open.isEmpty: setStatus([chance.pick(open)], .closed, now: now)
        default: return nil
        }
        return events.removeLast()
    }
}
