import LicmgrCore

/// What the simulated remote sells. The simulation reads addons and products from here, not
/// from licmgr's resolver, so that its idea of a need does not share the engine's mistakes.
enum SimCatalogue {
    struct Item {
        var id: Int
        var name: String
        var line: ProductLine
        /// One license per IP per product (the vendor's rule); editions of one product can be
        /// moved into each other by a tariff change.
        var product: String
        /// Price in hundredths by period, which is also the period's length in months.
        var prices: [Int: Int]
    }

    static let items: [Item] = [
        Item(
            id: 55227, name: "ISPmanager 6 Lite", line: .soft, product: "ispmanager 6", prices: [1: 1000, 12: 10_000]),
        Item(id: 55228, name: "ISPmanager 6 Pro", line: .soft, product: "ispmanager 6", prices: [1: 1800, 12: 18_000]),
        Item(
            id: 55229, name: "ISPmanager 6 Host", line: .soft, product: "ispmanager 6", prices: [1: 3000, 12: 30_000]),
        Item(id: 9203, name: "CloudLinux", line: .softexternal, product: "cloudlinux", prices: [1: 1200]),
    ]

    static func item(_ tariff: Int) -> Item? { items.first { $0.id == tariff } }

    static func product(_ tariff: Int) -> String { item(tariff)?.product ?? "tariff \(tariff)" }

    /// The catalogue as `pricelist.export` gives it.
    static var tariffs: [Tariff] {
        items.map { item in
            Tariff(
                id: item.id, name: item.name, active: true,
                itemType: item.line == .soft ? "soft" : item.line.rawValue, currency: "EUR",
                periods: item.prices.keys.sorted().map { months in
                    let cents = item.prices[months]!
                    return Tariff.Period(
                        id: months, type: "month", length: months,
                        cost: "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)")
                })
        }
    }

    /// The config lines that make licmgr read addons as the simulation does.
    static let configLines = "Price cloudlinux 9203\nReusePrice 12\n"

    /// The tariff an addon asks for: `panel` by edition, `cloudlinux=on`; nil for none.
    static func tariff(addon key: String, value: String) -> Int? {
        switch (key, value.lowercased()) {
        case ("panel", "lite"): 55227
        case ("panel", "pro"): 55228
        case ("panel", "host"): 55229
        case ("cloudlinux", "on"): 9203
        default: nil
        }
    }
}

/// The simulated remote BILLmanager, and the truth the invariants are checked against: every
/// license with its key and change dates, the money it was paid, and who holds each IP. It
/// applies the vendor's rules (one license per IP and product, the free pool's month of rest,
/// no purchase without funds), and injects the faults of the run under way at the calls they
/// name. One thread: a batch's calls are applied as they are sent, their answers handed back
/// in an order the run's seed chooses.
final class RemoteModel: LicenseServer {
    struct Entry {
        var license: License
        /// licmgr bought it, took it in, or it sits in the free pool: it must not be lost.
        var tracked = false
        /// Moved out of the free pool and given no new key since.
        var needsNewKey = false
        /// The last term licmgr paid for: the licmgr day the request was sent, and its months.
        var term: (start: Day, months: Int)?
        var deletedOn: Day?
    }

    enum ChargeKind: String {
        case order, renewal, tariffChange = "tariff change"
    }

    /// One payment, told to the simulation as it happens so that it can judge it against the
    /// state of the world at that instant.
    struct Charge {
        var kind: ChargeKind
        var licenseID: Int
        var cents: Int
        /// The license before (nil for an order) and after the call.
        var before: License?
        var after: License
        var previousTerm: (start: Day, months: Int)?
        var sentOn: Day
        /// Applied after the call timed out: judged by what licmgr knew when it sent it, which is
        /// not the state of the world now.
        var late = false
    }

    private(set) var entries: [Int: Entry] = [:]
    private var nextID = 300_001
    var balance = 1_000_000
    var clockSkew = 0
    let clock: SimClock
    /// Called for every payment, before the call answers.
    var onCharge: ((Charge) -> Void)?
    /// Faults injected so far, by kind.
    private(set) var injected: [String: Int] = [:]
    private(set) var calls = 0

    private var process = SimProcess()
    private var faults = Faults.clean
    private var chance = SplitMix64(seed: 0)
    private var reads = 0
    private var changes = 0
    private var keySerial = 0
    /// Calls that timed out and reach the remote later: when, what, and the day they were sent.
    private var late: [(at: Int, call: RemoteCall, sentOn: Day)] = []

    init(clock: SimClock) { self.clock = clock }

    /// A remote in this one's state, on `clock`, for a world forked from this one's.
    func copy(clock: SimClock) -> RemoteModel {
        let copy = RemoteModel(clock: clock)
        copy.entries = entries
        copy.nextID = nextID
        copy.balance = balance
        copy.clockSkew = clockSkew
        copy.keySerial = keySerial
        copy.late = late
        return copy
    }

    /// The remote's own day, which a skewed clock puts off licmgr's.
    var today: Day { clock.today.adding(days: clockSkew) }

    /// The next run starts: its faults, and the process it dies with.
    func begin(_ process: SimProcess, faults: Faults) {
        self.process = process
        self.faults = faults
        chance = SplitMix64(seed: faults.seed)
        reads = 0
        changes = 0
        applyLateCalls()
    }

    func end() {
        process = SimProcess()
        faults = .clean
        applyLateCalls()
    }

    func count(_ fault: String) { injected[fault, default: 0] += 1 }

    // MARK: - Changes behind licmgr's back

    func add(_ license: License, tracked: Bool) {
        var license = license
        license.id = nextID
        nextID += 1
        entries[license.id] = Entry(license: license, tracked: tracked)
    }

    /// Marks a license as one licmgr answers for, once it has attached it.
    func track(_ id: Int) { entries[id]?.tracked = true }

    // MARK: - LicenseServer

    func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License] {
        try exchange("soft", listing: true) { _, fault throws(RemoteError) in
            let listed = entries.keys.sorted().compactMap { id -> License? in
                guard let entry = entries[id], lines.contains(entry.license.line) else { return nil }
                if let deleted = entry.deletedOn, deleted.adding(days: 30) < today { return nil }
                advanceProcessing(id)
                var row = entries[id]!.license
                // The list shows no key and no change dates; BM6 lists no remoteid either.
                row.key = nil
                row.ipChanged = nil
                row.keyChanged = nil
                row.remoteID = nil
                return row
            }
            return fault == .hiddenListing ? Array(listed.prefix(1)) : listed
        }.get()
    }

    func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License {
        try typed(.view(license: id, line: line)) {
            guard case .license(let license) = $0 else { return nil }
            return license
        }
    }

    func order(_ request: OrderRequest) throws(RemoteError) -> Int {
        try typed(.order(request)) {
            guard case .ordered(let id) = $0 else { return nil }
            return id
        }
    }

    func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError) {
        try typed(.edit(license: license, line: line, name: name, ip: ip)) { _ in () }
    }

    func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String? {
        try typed(.newKey(license: license, line: line)) {
            guard case .key(let key) = $0 else { return nil }
            return .some(key)
        }
    }

    func prolong(license: Int, period: Int) throws(RemoteError) -> Day? {
        try typed(.prolong(license: license, period: period)) {
            guard case .expiry(let day) = $0 else { return nil }
            return .some(day)
        }
    }

    func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError) {
        try typed(.changeTariff(license: license, pricelist: pricelist, period: period)) { _ in () }
    }

    func suspend(license: Int, line: ProductLine) throws(RemoteError) {
        try typed(.suspend(license: license, line: line)) { _ in () }
    }

    func resume(license: Int, line: ProductLine) throws(RemoteError) {
        try typed(.resume(license: license, line: line)) { _ in () }
    }

    func delete(license: Int, line: ProductLine) throws(RemoteError) {
        try typed(.delete(license: license, line: line)) { _ in () }
    }

    func exportTariffs() throws(RemoteError) -> [Tariff] {
        try exchange("pricelist.export") { _, _ in SimCatalogue.tariffs }.get()
    }

    /// No balance rows: reading the balance is a nicety the simulation leaves out.
    func balances() throws(RemoteError) -> [AccountBalance] {
        try exchange("subaccount") { _, _ in [] }.get()
    }

    func perform(
        _ calls: [RemoteCall], parallel: Int, starting: (Int) throws -> Bool, each: RemoteAnswerHandler
    ) throws {
        var inFlight: [(index: Int, answer: Result<RemoteAnswer, RemoteError>)] = []
        var next = 0
        var firstError: (any Error)?
        while true {
            while firstError == nil, inFlight.count < max(parallel, 1), next < calls.count {
                let index = next
                next += 1
                do {
                    guard try starting(index) else { continue }
                } catch {
                    firstError = error
                    break
                }
                let call = calls[index]
                let answer = exchange(call.function, call: call, batch: true) { day, fault throws(RemoteError) in
                    try apply(call, sentOn: day, keyless: fault == .keyless)
                }
                try process.alive()
                inFlight.append((index, answer))
            }
            guard !inFlight.isEmpty else { break }
            // Answers of calls in flight together arrive in any order.
            let (index, answer) = inFlight.remove(at: chance.below(inFlight.count))
            do {
                try each(index, answer)
            } catch {
                if firstError == nil { firstError = error }
            }
            try process.alive()
        }
        if let firstError { throw firstError }
    }

    // MARK: - The wire

    private var dead: RemoteError { .unreachable(url: "sim:", detail: "the process is dead") }

    private func typed<T>(_ call: RemoteCall, _ unwrap: (RemoteAnswer) -> T?) throws(RemoteError) -> T {
        let answer = exchange(call.function, call: call) { day, fault throws(RemoteError) in
            try apply(call, sentOn: day, keyless: fault == .keyless)
        }
        switch answer {
        case .success(let answer):
            guard let value = unwrap(answer) else { fatalError("\(call) answered \(answer)") }
            return value
        case .failure(let error): throw error
        }
    }

    /// One request as the wire and the remote see it: its fault taken, then applied or not,
    /// and answered, lost or refused.
    private func exchange<T>(
        _ function: String, call: RemoteCall? = nil, batch: Bool = false, listing: Bool = false,
        _ apply: (Day, CallFault?) throws(RemoteError) -> T
    ) -> Result<T, RemoteError> {
        guard !process.killed else { return .failure(dead) }
        applyLateCalls()
        calls += 1
        var fault: CallFault?
        if call?.changes == true {
            fault = faults.changes[changes]
            changes += 1
        } else {
            fault = faults.reads[reads]
            reads += 1
        }
        if let kind = fault, kind.listingOnly != listing || (kind == .keyless && call?.isNewKey != true) { fault = nil }
        if fault == .deadSession && !batch {
            // The client logs in again and resends a single call itself.
            count("deadSession (resent)")
            fault = nil
        }
        if let fault { count(fault.rawValue) }
        let day = clock.today
        func applied() -> Result<T, RemoteError> {
            do throws(RemoteError) {
                return .success(try apply(day, fault))
            } catch {
                return .failure(error)
            }
        }
        switch fault {
        case nil, .keyless, .hiddenListing:
            return applied()
        case .refused:
            return .failure(.refused(function: function, type: "value", object: nil, message: "refused (simulated)"))
        case .lostAnswer:
            _ = applied()
            return .failure(.answerLost(function: function, detail: "connection reset (simulated)"))
        case .timedOut:
            return .failure(.timedOut(function: function, seconds: 60))
        case .appliedLate:
            // Within SettleAfter (600 s): later than that, the engine may rightly take it for never applied.
            if let call { late.append((clock.seconds + chance.between(1, 540), call, day)) }
            return .failure(.timedOut(function: function, seconds: 60))
        case .serverError:
            return .failure(.serverFailure(function: function, status: 502))
        case .serverErrorApplied:
            _ = applied()
            return .failure(.serverFailure(function: function, status: 500))
        case .garbage:
            return .failure(.notProtocol(function: function, detail: "an HTML error page (simulated)"))
        case .garbageApplied:
            _ = applied()
            return .failure(.notProtocol(function: function, detail: "a truncated answer (simulated)"))
        case .deadSession:
            return .failure(.authRefused(message: "Insufficient privileges to perform the function (simulated)"))
        case .killBefore:
            process.kill()
            return .failure(dead)
        case .killAfter:
            _ = applied()
            process.kill()
            return .failure(dead)
        case .shortListing, .emptyListing, .shiftedListing, .wrongTotal:
            return .failure(.incompleteListing(function: function, detail: "\(fault!.rawValue) (simulated)"))
        }
    }

    private var applyingLate = false

    private func applyLateCalls() {
        guard !late.isEmpty else { return }
        let due = late.filter { $0.at <= clock.seconds }.sorted { $0.at < $1.at }
        late.removeAll { $0.at <= clock.seconds }
        applyingLate = true
        defer { applyingLate = false }
        for (_, call, day) in due { _ = try? apply(call, sentOn: day, keyless: false) }
    }

    // MARK: - The remote's rules

    private func refusal(_ function: String, _ type: String, _ message: String, object: String? = nil) -> RemoteError {
        .refused(function: function, type: type, object: object, message: message)
    }

    private func live(_ id: Int, _ line: ProductLine?, _ function: String) throws(RemoteError) -> Entry {
        guard let entry = entries[id], line == nil || entry.license.line == line else {
            throw refusal(function, "value", "The value of the 'elid' field is invalid", object: "elid")
        }
        guard entry.license.status != .deleted else {
            throw refusal(function, "value", "The value of the 'elid' field is invalid", object: "elid")
        }
        return entry
    }

    /// Whether a live license other than `except` holds `ip` with a tariff `matches` accepts.
    private func ipTaken(_ ip: String, except: Int?, _ matches: (Int) -> Bool) -> Bool {
        guard ip != License.parkedIP else { return false }
        return entries.values.contains {
            $0.license.id != except && $0.license.status != .deleted && $0.license.ip == ip
                && matches($0.license.pricelist)
        }
    }

    private func tell(_ charge: Charge) {
        var charge = charge
        charge.late = applyingLate
        onCharge?(charge)
    }

    private func charge(_ cents: Int, _ function: String) throws(RemoteError) {
        guard balance >= cents else {
            throw .refused(function: function, type: "account", object: "balance", message: "insufficient funds")
        }
        balance -= cents
    }

    /// A new order shows as being processed, without a key, until it is next looked at.
    private func advanceProcessing(_ id: Int) {
        guard var entry = entries[id], entry.license.status == .processing else { return }
        entry.license.status = .active
        if entry.license.key == nil {
            keySerial += 1
            entry.license.key = "K\(id)-\(keySerial)"
            entry.license.keyChanged = today
        }
        entries[id] = entry
    }

    private func apply(_ call: RemoteCall, sentOn day: Day, keyless: Bool) throws(RemoteError) -> RemoteAnswer {
        let function = call.function
        switch call {
        case .view(let id, let line):
            guard entries[id].map({ $0.license.line == line }) == true else {
                throw refusal(function, "value", "The value of the 'elid' field is invalid", object: "elid")
            }
            advanceProcessing(id)
            return .license(entries[id]!.license)

        case .order(let request):
            guard let item = SimCatalogue.item(request.pricelist), item.line == request.line,
                let cost = item.prices[request.period]
            else { throw refusal(function, "value", "The value of the 'pricelist' field is invalid") }
            guard !request.ip.isEmpty else {
                throw refusal(function, "value", "The value of the 'ip' field is invalid")
            }
            if ipTaken(request.ip, except: nil, { SimCatalogue.product($0) == item.product }) {
                throw refusal(function, "exists", "a license with the same IP address already exists")
            }
            try charge(cost, function)
            let id = nextID
            nextID += 1
            let license = License(
                id: id, name: request.name, ip: request.ip, pricelist: item.id, line: item.line,
                period: request.period, status: .processing, expires: today.adding(months: request.period),
                created: today, remoteID: request.remoteID, autoprolong: "off")
            entries[id] = Entry(license: license, tracked: true, term: (day, request.period))
            tell(
                Charge(kind: .order, licenseID: id, cents: cost, before: nil, after: license, sentOn: day))
            return .ordered(id)

        case .edit(let id, let line, let name, let ip):
            var entry = try live(id, line, function)
            if let ip, ip != entry.license.ip {
                if ip != License.parkedIP {
                    // A move is held to the license's own tariff, as billmgr-sim holds it: taking a free
                    // license of the new edition onto the IP of the old one (UseExistingOnUpgrade) is allowed.
                    if ipTaken(ip, except: id, { $0 == entry.license.pricelist }) {
                        throw refusal(function, "exists", "a license with the same IP address already exists")
                    }
                    if entry.license.isParked, let why = poolRuleForbids(entry.license) {
                        throw refusal(function, "value", why)
                    }
                }
                entry.needsNewKey =
                    ip != License.parkedIP && (entry.needsNewKey || entry.license.ip == License.parkedIP)
                entry.license.ip = ip
                entry.license.ipChanged = today
            }
            if let name { entry.license.name = name }
            entries[id] = entry
            return .done

        case .newKey(let id, let line):
            var entry = try live(id, line, function)
            keySerial += 1
            let key = "K\(id)-\(keySerial)"
            entry.license.key = key
            entry.license.keyChanged = today
            entry.needsNewKey = false
            entries[id] = entry
            return .key(keyless ? nil : key)

        case .prolong(let id, let period):
            var entry = try live(id, nil, function)
            guard let cost = SimCatalogue.item(entry.license.pricelist)?.prices[period] else {
                throw refusal(function, "value", "The value of the 'period' field is invalid")
            }
            try charge(cost, function)
            let before = entry.license
            if entry.license.status == .suspended, let expires = entry.license.expires, expires < today {
                entry.license.status = .active
            }
            entry.license.expires = max(today, entry.license.expires ?? today).adding(months: period)
            let previous = entry.term
            entry.term = (day, period)
            entries[id] = entry
            tell(
                Charge(
                    kind: .renewal, licenseID: id, cents: cost, before: before, after: entry.license,
                    previousTerm: previous, sentOn: day))
            return .expiry(entry.license.expires)

        case .changeTariff(let id, let pricelist, let period):
            var entry = try live(id, nil, function)
            guard let item = SimCatalogue.item(pricelist), item.line == entry.license.line,
                let cost = item.prices[period]
            else { throw refusal(function, "value", "The value of the 'pricelist' field is invalid") }
            if ipTaken(entry.license.ip, except: id, { $0 == pricelist }) {
                throw refusal(function, "exists", "a license with the same IP address already exists")
            }
            try charge(cost, function)
            let before = entry.license
            entry.license.pricelist = pricelist
            entry.license.period = period
            entries[id] = entry
            tell(
                Charge(
                    kind: .tariffChange, licenseID: id, cents: cost, before: before, after: entry.license,
                    previousTerm: entry.term, sentOn: day))
            return .done

        case .suspend(let id, let line), .resume(let id, let line), .delete(let id, let line):
            var entry = try live(id, line, function)
            switch call {
            case .suspend: entry.license.status = .suspended
            case .resume: entry.license.status = .active
            default:
                entry.license.status = .deleted
                entry.deletedOn = today
            }
            entries[id] = entry
            return .done
        }
    }

    /// The vendor's rule for taking a license out of the free pool, as the remote applies it by
    /// its own clock: live, not expired, IP and key unchanged for more than a month.
    private func poolRuleForbids(_ license: License) -> String? {
        guard license.status == .active || license.status == .suspended else { return "the license is not live" }
        guard let expires = license.expires, expires > today else { return "the license has expired" }
        let changed = [license.ipChanged, license.keyChanged].compactMap { $0 }.max()
        if let changed, changed.adding(months: 1) >= today {
            return "the license's IP or key changed on \(changed), less than a month ago"
        }
        return nil
    }
}

extension RemoteCall {
    /// The remote function that makes the call, for errors.
    var function: String {
        switch self {
        case .view(_, let line), .edit(_, let line, _, _), .newKey(_, let line): line.function("soft.edit")
        case .order(let request): request.line.function("soft.order.param")
        case .prolong: "service.prolong"
        case .changeTariff: "service.changepricelist"
        case .suspend(_, let line): line.function("soft.suspend")
        case .resume(_, let line): line.function("soft.resume")
        case .delete(_, let line): line.function("soft.delete")
        }
    }

    var isNewKey: Bool {
        if case .newKey = self { return true }
        return false
    }
}
