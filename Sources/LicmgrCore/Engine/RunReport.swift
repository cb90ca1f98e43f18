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
        public var action: Action
        public var serviceID: Int?
        public var addon: String?
        public var licenseID: Int?
        public var detail: String
        /// For an item refused before anything was sent, the exit code of its cause: 65 for a
        /// service or addon, 78 for a config line.
        public var code: ExitStatus?
        /// For a planned step that would spend money: what it would cost; nil for one that would not.
        public var charge: Charge?

        public init(
            action: Action, serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, detail: String,
            code: ExitStatus? = nil, charge: Charge? = nil
        ) {
            self.action = action
            self.serviceID = serviceID
            self.addon = addon
            self.licenseID = licenseID
            self.detail = detail
            self.code = code
            self.charge = charge
        }
    }

    /// The price of a step, as the imported catalogue states it.
    public struct Charge: Sendable, Equatable {
        /// Hundredths of `currency`; nil when the catalogue does not know the price.
        public var cents: Int?
        public var currency: String?

        public init(cents: Int?, currency: String?) {
            self.cents = cents
            self.currency = currency
        }
    }

    public var items: [Item] = []
    /// Non-fatal problems: a detail that could not be fetched, a license that went back to the pool.
    public var warnings: [String] = []
    /// What the run looked at, for `--verbose`.
    public var notes: [String] = []
    /// Problems only `--verbose` shows, because nobody needs to act on them: the balance not read.
    public var verboseWarnings: [String] = []
    /// The error that stopped the run early, if any; the work it left is journaled.
    public var stopped: RemoteError?
    public var dryRun: Bool
    /// The catalogue's currency, for a dry run's total; nil before the catalogue is imported.
    public var currency: String?

    public init(dryRun: Bool = false) { self.dryRun = dryRun }

    public mutating func add(
        _ action: Action, serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, _ detail: String,
        charge: Charge? = nil
    ) {
        items.append(
            Item(
                action: action, serviceID: serviceID, addon: addon, licenseID: licenseID, detail: detail,
                charge: charge))
    }

    /// What the planned steps would spend in `currency`: nil when a price is unknown or in another currency.
    public var plannedCost: Int? {
        var total = 0
        for item in items where item.action == .planned {
            guard let charge = item.charge else { continue }
            guard let cents = charge.cents, charge.currency == currency else { return nil }
            total += cents
        }
        return total
    }

    /// How many planned steps would spend money at a price not known.
    public var unpricedSteps: Int {
        items.filter { $0.action == .planned && $0.charge != nil && $0.charge?.cents == nil }.count
    }

    /// An item refused before any remote call, for `error` (bad input or a config line): failed,
    /// with the error's exit code.
    public mutating func refuse(
        serviceID: Int? = nil, addon: String? = nil, licenseID: Int? = nil, _ what: String, _ error: any Error
    ) {
        items.append(
            Item(
                action: .failed, serviceID: serviceID, addon: addon, licenseID: licenseID, detail: "\(what): \(error)",
                code: ExitStatus.of(error)))
    }

    public func count(_ action: Action) -> Int { items.filter { $0.action == action }.count }

    public var failures: [Item] { items.filter { $0.action == .failed } }

    /// Turns the failed items at `indices` into warnings that end with `outcome`: steps whose
    /// purpose the run reached another way, as a reuse refused half-way, rolled back, and
    /// replaced by a new license. The run's exit status no longer counts them.
    public mutating func excuse(_ indices: some Sequence<Int>, _ outcome: String) {
        let chosen = Set(indices).filter { items.indices.contains($0) && items[$0].action == .failed }.sorted()
        for index in chosen { warnings.append("\(items[index].detail); \(outcome)") }
        for index in chosen.reversed() { items.remove(at: index) }
    }

    /// The exit status the run ends with: the stopping error's, else 75 while a step is in
    /// doubt or held by `SpendLimit`, else, when every failure was refused before sending, 78
    /// if a config line caused one and 65 otherwise, else 1 if any item failed.
    public var exitStatus: ExitStatus {
        if let stopped { return ExitStatus.of(stopped) }
        if items.contains(where: { $0.action == .inDoubt || $0.action == .held }) { return .temporary }
        let failures = self.failures
        if failures.isEmpty { return .ok }
        let codes = failures.map(\.code)
        guard codes.allSatisfy({ $0 != nil }) else { return .partialFailure }
        return codes.contains(.config) ? .config : .dataError
    }
}
