/// What a run did, item by item: rendered as text or JSON by the executable.
public struct RunReport: Sendable, Equatable {
    public enum Action: String, Sendable, CaseIterable {
        case ordered, attached, reused, renewed, unchanged, settled, skipped, failed
        /// Following the server: license suspended, resumed, moved or renamed, re-tariffed, parked, deleted.
        case suspended, resumed, edited, retariffed, parked, deleted
        /// Known state: licenses first seen, changed behind licmgr's back, gone from the remote
        /// list, or read again once their processing finished.
        case discovered, drifted, gone, refreshed
        case inDoubt = "in_doubt"
        /// `--dry-run`: what would be done, nothing changed.
        case planned
        /// Not sent: it would spend past `SpendLimit`; a later run sends it.
        case held
    }

    public struct Item: Sendable, Equatable {
        // Declared so that the fields pack: a run over 100,000 services holds an item for each.
        public var serviceID: Int?
        public var action: Action
        /// For a planned step: the action the run would report for it, so that a script can set a
        /// dry run beside the run.
        public var plan: Action?
        /// For an item refused before anything was sent, the exit code of its cause: 65 for a
        /// service or addon, 78 for a config line.
        public var code: ExitStatus?
        public var licenseID: Int?
        public var addon: String?
        public var detail: String
        /// For a step that spends money: what a planned one would cost, or what one the run did
        /// spent (the price journaled with it); nil for one that spends nothing.
        public var charge: Charge? {
            get { boxedCharge?.charge }
            set { boxedCharge = newValue.map(ChargeBox.init) }
        }
        /// Few items spend money: boxed, the price costs the others 8 bytes, not 32.
        private var boxedCharge: ChargeBox?

        public init(
            action: Action, serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, detail: String,
            code: ExitStatus? = nil, charge: Charge? = nil, plan: Action? = nil
        ) {
            self.action = action
            self.plan = plan
            self.serviceID = serviceID
            self.addon = addon
            self.licenseID = licenseID
            self.detail = detail
            self.code = code
            self.charge = charge
        }
    }

    /// Equal by the price it holds, as the item it is part of.
    private final class ChargeBox: Sendable, Equatable {
        let charge: Charge
        init(_ charge: Charge) { self.charge = charge }
        static func == (a: ChargeBox, b: ChargeBox) -> Bool { a.charge == b.charge }
    }

    /// The price of a step, as the imported catalogue states it.
    public struct Charge: Sendable, Equatable {
        /// Ten-thousandths of `currency` (`Money`); nil when the catalogue does not know the price.
        public var amount: Int?
        public var currency: String?

        public init(amount: Int?, currency: String?) {
            self.amount = amount
            self.currency = currency
        }
    }

    /// Added through `add`, `refuse` and `reject`, so that the observer hears of each.
    public private(set) var items: [Item] = []
    /// Non-fatal problems: a detail that could not be fetched, a license that went back to the pool.
    public private(set) var warnings: [String] = []
    /// What the run looked at, for `--verbose`.
    public private(set) var notes: [String] = []
    /// Problems only `--verbose` shows, because nobody needs to act on them: the balance not read.
    public var verboseWarnings: [String] = []
    /// The error that stopped the run early, if any; the work it left is journaled.
    public var stopped: RemoteError?
    /// What `SpendLimit` held back, for one line of them all; nil when it held nothing.
    public private(set) var spendHold: SpendHold?
    public var dryRun: Bool
    /// The catalogue's currency, for totals (a dry run's cost, what a run spent); nil before
    /// the catalogue is imported.
    public var currency: String?
    /// What `checkevent`'s `ServiceSource` imported first, or why it imported nothing.
    public var serviceSource: ServiceSourceOutcome?
    /// Told of each item, warning and note as it is added, for output that streams.
    public var observer: Observer
    /// Positions of the items `excuse` may still turn into warnings: told to the observer only
    /// once that is decided, so that a streamed failure never contradicts the exit status.
    private var held: [Int] = []
    /// Items added while positive are held.
    private var holding = 0

    public init(dryRun: Bool = false, observer: (any RunObserver)? = nil) {
        self.dryRun = dryRun
        self.observer = Observer(observer)
    }

    public mutating func add(
        _ action: Action, serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, _ detail: String,
        charge: Charge? = nil
    ) {
        append(
            Item(
                action: action, serviceID: serviceID, addon: addon, licenseID: licenseID, detail: detail,
                charge: charge))
    }

    /// A dry run's step: what the run would do and report as its action.
    public mutating func plan(_ step: PlanItem) {
        if let charge = step.charge {
            if let amount = charge.amount {
                plannedCharges[charge.currency, default: 0] += amount
            } else {
                unpriced += 1
            }
        }
        append(
            Item(
                action: .planned, serviceID: step.serviceID, addon: step.addon, licenseID: step.licenseID,
                detail: step.sentence, charge: step.charge, plan: step.action))
    }

    /// What the planned steps would spend in `currency`: nil when a price is unknown or in another currency.
    public var plannedCost: Int? {
        guard unpriced == 0, plannedCharges.keys.allSatisfy({ $0 == currency }) else { return nil }
        return plannedCharges[currency] ?? 0
    }

    /// The planned steps' charges by currency, and how many have no price, kept as each is
    /// planned: a dry run weighs every purchase against what it planned before, and a sum over
    /// the items each time would grow with the square of a takeover's orders.
    private var plannedCharges: [String?: Int] = [:]
    private var unpriced = 0

    /// What the steps the run did spent, in `currency`: nil when one spent an amount not
    /// known, or in another currency. Settling counts a step in doubt found applied: its run
    /// could not.
    public var spent: Int? {
        var total = 0
        for item in items where item.action != .planned {
            guard let charge = item.charge else { continue }
            guard let amount = charge.amount, charge.currency == currency else { return nil }
            total += amount
        }
        return total
    }

    /// Counts a purchase `SpendLimit` held (its item is added apart): `cost` nil when its
    /// price is not known; `spent` what the window held when it was weighed.
    public mutating func hold(cost: Int?, currency: String?, limit: Int, spent: Int) {
        var hold = spendHold ?? SpendHold(limit: limit, currency: currency)
        hold.steps += 1
        if let cost { hold.cost += cost } else { hold.unpriced += 1 }
        hold.spent = max(hold.spent, spent)
        spendHold = hold
    }

    /// How many planned steps would spend money at a price not known.
    public var unpricedSteps: Int { unpriced }

    mutating func append(_ item: Item) {
        var item = item
        // Interpolation leaves room to spare in the text it builds: a run of 100,000 items keeps
        // each detail, so each is kept at its size.
        item.detail = String(decoding: Array(item.detail.utf8), as: UTF8.self)
        items.append(item)
        if holding > 0 {
            held.append(items.count - 1)
        } else {
            observer.sink?.finished(item)
        }
    }

    public mutating func warn(_ text: String) {
        warnings.append(text)
        observer.sink?.warned(text)
    }

    public mutating func note(_ text: String) {
        notes.append(text)
        observer.sink?.noted(text)
    }

    /// Runs `body` with the items it adds held back from the observer until `release` or
    /// `excuse`; returns `body`'s result and the positions of those items.
    mutating func holdingBack<T>(_ body: (inout RunReport) throws -> T) rethrows -> (T, Range<Int>) {
        let before = items.count
        holding += 1
        defer { holding -= 1 }
        let result = try body(&self)
        return (result, before..<items.count)
    }

    /// Tells the observer of the held items but those at `kept`, which stay held, in their order.
    mutating func release(allBut kept: Set<Int> = []) {
        let chosen = held.filter { !kept.contains($0) }
        held.removeAll { !kept.contains($0) }
        for index in chosen { observer.sink?.finished(items[index]) }
    }

    /// An item refused before any remote call, for `error` (bad input or a config line): failed,
    /// with the error's exit code.
    public mutating func refuse(
        serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, _ what: String, _ error: any Error
    ) {
        append(
            Item(
                action: .failed, serviceID: serviceID, addon: addon, licenseID: licenseID, detail: "\(what): \(error)",
                code: ExitStatus.of(error)))
    }

    public func count(_ action: Action) -> Int { items.filter { $0.action == action }.count }

    public var failures: [Item] { items.filter { $0.action == .failed } }

    /// Turns the failed items at `indices` into warnings that end with `outcome`: steps whose
    /// purpose the run reached another way, as a reuse refused half-way, rolled back, and
    /// replaced by a new license. The run's exit status no longer counts them. Items held back
    /// for this are released, whatever their fate: the outcome is known now.
    public mutating func excuse(_ indices: some Sequence<Int>, _ outcome: String) {
        let chosen = Set(indices).filter { items.indices.contains($0) && items[$0].action == .failed }.sorted()
        for index in chosen { warn("\(items[index].detail); \(outcome)") }
        for index in chosen.reversed() { items.remove(at: index) }
        held = held.compactMap { index in
            chosen.contains(index) ? nil : index - chosen.count { $0 < index }
        }
        release()
    }

    /// Puts `notes` before the run's own, for a command that adds to the engine's JSON document:
    /// not told to the observer, whose lines are printed already.
    public mutating func prepend(notes more: [String]) { notes.insert(contentsOf: more, at: 0) }

    /// Puts a warning before the run's own, as `prepend(notes:)` does.
    public mutating func prepend(warning: String) { warnings.insert(warning, at: 0) }

    /// The exit status the run ends with: the stopping error's, else 75 while a step is in
    /// doubt or held by `SpendLimit`, else, when every failure was refused before sending, 78
    /// if a config line caused one and 65 otherwise, else 1 if any item failed, else the
    /// `ServiceSource` failure's.
    public var exitStatus: ExitStatus {
        let own = itemsExitStatus
        guard own == .ok, let failure = serviceSource?.failure else { return own }
        return failure.status
    }

    private var itemsExitStatus: ExitStatus {
        if let stopped { return ExitStatus.of(stopped) }
        if items.contains(where: { $0.action == .inDoubt || $0.action == .held }) { return .temporary }
        let failures = self.failures
        if failures.isEmpty { return .ok }
        let codes = failures.map(\.code)
        guard codes.allSatisfy({ $0 != nil }) else { return .partialFailure }
        return codes.contains(.config) ? .config : .dataError
    }
}

/// The purchases `SpendLimit` held in one run, for the one line cron prints of them.
public struct SpendHold: Sendable, Equatable, CustomStringConvertible {
    public var steps = 0
    /// What those of a known price cost together, in ten-thousandths (`Money`).
    public var cost = 0
    public var unpriced = 0
    public var limit: Int
    /// What the last 24 hours had spent when a purchase was held.
    public var spent = 0
    public var currency: String?

    public init(limit: Int, currency: String?) {
        self.limit = limit
        self.currency = currency
    }

    /// "SpendLimit 25.00 EUR held 3 purchases worth 30.00 EUR (20.00 EUR spent in the last 24
    /// hours); they are sent once the window allows".
    public var description: String {
        func money(_ amount: Int) -> String { Money.format(amount) + (currency.map { " \($0)" } ?? "") }
        var text = "SpendLimit \(money(limit)) held \(steps) \(steps == 1 ? "purchase" : "purchases")"
        let priced = steps - unpriced
        if priced > 0 { text += " worth \(money(cost))" }
        if unpriced > 0 { text += priced > 0 ? " and \(unpriced) of unknown price" : " of unknown price" }
        text += " (\(money(spent)) spent in the last 24 hours); "
        text +=
            unpriced > 0
            ? "a price not known is never sent: import the catalogue with 'licmgr import-tariffs'"
            : "they are sent once the window allows"
        return text
    }
}

/// Hears what a run does as it does it: the command line prints each line as it comes. The
/// engine calls it from the thread that runs it, one call at a time.
public protocol RunObserver: AnyObject, Sendable {
    func finished(_ item: RunReport.Item)
    func warned(_ text: String)
    func noted(_ text: String)
    /// A batch of remote steps, or a listing, is under way: `done` of `total`, and what is in flight.
    func progress(_ progress: RunProgress)
}

extension RunReport {
    /// The observer of a report, outside its equality: two reports of the same work are equal
    /// whoever heard them.
    public struct Observer: Sendable, Equatable {
        public let sink: (any RunObserver)?

        init(_ sink: (any RunObserver)?) { self.sink = sink }

        public static func == (_: Observer, _: Observer) -> Bool { true }
    }
}
