/// Hears the outcome of each remote step that spends money or changes a license as the
/// journal records it, for the operator's log trail. The engine never writes the log itself:
/// the command line decides where it goes.
public protocol StepLog: AnyObject {
    func record(_ entry: StepLogEntry)
}

/// One journaled step's outcome. Every text in it comes from the journal and the remote's
/// redacted answers, never from the credentials.
public struct StepLogEntry: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The remote took the step.
        case done
        /// The remote refused it, or it was never delivered; nothing changed there.
        case failed(String)
        /// The remote may have applied it; the next run settles it.
        case inDoubt(String)
        /// Not sent: it would pass `SpendLimit`.
        case held(String)
        /// A step left in doubt by an earlier run, resolved now: applied or not.
        case settled(applied: Bool, String)
    }

    /// The journal key, as `licmgr journal` and the remote's `remoteid` show it.
    public var key: String
    public var kind: RemoteOperation.Kind
    public var serviceID: Int?
    public var licenseID: Int?
    public var outcome: Outcome
    /// What the step costs by the catalogue, in ten-thousandths of `currency` (`Money`); nil when it buys
    /// nothing or its price is not known.
    public var cost: Int?
    public var currency: String?

    public init(
        key: String, kind: RemoteOperation.Kind, serviceID: Int?, licenseID: Int?, outcome: Outcome,
        cost: Int? = nil, currency: String? = nil
    ) {
        self.key = key
        self.kind = kind
        self.serviceID = serviceID
        self.licenseID = licenseID
        self.outcome = outcome
        self.cost = cost
        self.currency = currency
    }
}

extension LicenseEngine {
    /// Tells `stepLog` how `step` ended; `license` names the license an order made.
    func log(_ step: Step, license: Int? = nil, _ outcome: StepLogEntry.Outcome) {
        guard let stepLog else { return }
        let currency = step.price.flatMap { try? catalogue().tariffs[$0.tariff]?.currency }
        stepLog.record(
            StepLogEntry(
                key: step.key, kind: step.kind, serviceID: step.service, licenseID: license ?? step.license,
                outcome: outcome, cost: step.params["cost"].flatMap { Int($0) }, currency: currency))
    }

    /// Tells `stepLog` how a step an earlier run left in doubt was settled.
    func log(settled operation: RemoteOperation, license: Int?, applied: Bool, _ detail: String) {
        stepLog?.record(
            StepLogEntry(
                key: operation.key, kind: operation.kind, serviceID: operation.serviceID,
                licenseID: license ?? operation.licenseID, outcome: .settled(applied: applied, detail)))
    }
}
