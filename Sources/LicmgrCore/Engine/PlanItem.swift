/// One step a dry run plans, as a value: what the run would do, to which service and license,
/// at what price and why. `sentence` is the one place a "would …" line is written, so that
/// every plan names things the same way, and a script reads the same facts from the JSON.
public struct PlanItem: Sendable, Equatable {
    public enum Change: Sendable, Equatable {
        case order(TariffTerm)
        /// A live license found on the account; `replacing` the license it takes over from.
        case attach(replacing: Int?)
        /// A free license taken from the pool; `replacing` the license an upgrade lets go.
        case reuse(replacing: Int?)
        /// `lapsed`: the day a suspended license lapsed; it is renewed, and resumed by an item of its own.
        case renew(TariffTerm, lapsed: Day?)
        case suspend, resume
        /// The license follows its service: `what` changes (IP, name).
        case edit(what: String)
        case park
        /// `described`: the license as the operator knows it, when it serves no service.
        case delete(described: String?)
        case retariff(TariffTerm)
        case settle(kind: String, key: String)
        case newKey
    }

    /// A tariff and period as a reader knows them, and their price.
    public struct TariffTerm: Sendable, Equatable {
        public var tariff: Int
        /// The catalogue's name of the tariff; nil before `import-tariffs`.
        public var name: String?
        public var period: String
        /// The catalogue's price with its currency; nil when not known.
        public var price: String?

        public init(tariff: Int, name: String?, period: String, price: String?) {
            self.tariff = tariff
            self.name = name
            self.period = period
            self.price = price
        }

        /// "ISPmanager 6 Lite (55227), 1 month", or "tariff 55227, 1 month" unnamed.
        public var described: String {
            (name.map { "\($0) (\(tariff))" } ?? "tariff \(tariff)") + ", \(period)"
        }
    }

    public var change: Change
    public var serviceID: Int?
    /// The service's IP, said with it where the step buys something for it.
    public var serviceIP: String?
    public var addon: String?
    public var licenseID: Int?
    /// Why the step, or why not a cheaper one, ended the sentence in parentheses or after a colon.
    public var why: String?
    public var charge: RunReport.Charge?
    /// Why `SpendLimit` would hold the step back, as the run would; it then costs nothing.
    public var heldBy: String?

    public init(
        _ change: Change, serviceID: Int? = nil, serviceIP: String? = nil, addon: String? = nil, licenseID: Int? = nil,
        why: String? = nil, charge: RunReport.Charge? = nil
    ) {
        self.change = change
        self.serviceID = serviceID
        self.serviceIP = serviceIP
        self.addon = addon
        self.licenseID = licenseID
        self.why = why
        self.charge = charge
    }

    /// The action the run reports for this step.
    public var action: RunReport.Action {
        if heldBy != nil { return .held }
        return switch change {
        case .order: .ordered
        case .attach: .attached
        case .reuse: .reused
        case .renew: .renewed
        case .suspend: .suspended
        case .resume: .resumed
        case .edit, .newKey: .edited
        case .park: .parked
        case .delete: .deleted
        case .retariff: .retariffed
        case .settle: .settled
        }
    }

    /// The dry run's line for this step.
    public var sentence: String {
        guard let heldBy else { return going }
        return "would hold back: \(going.dropFirst("would ".count)); \(heldBy)"
    }

    private var going: String {
        let license = "license \(licenseID.map(String.init) ?? "?")"
        let service = serviceID.map { "service \($0)" + (serviceIP.map { " (\($0))" } ?? "") }
        let ofService = serviceID.map { " of service \($0)" } ?? ""
        let because = why.map { ": \($0)" } ?? ""
        switch change {
        case .order(let term):
            return "would order \(term.described), for \(service ?? "?")" + Self.cost(term)
                + (why.map { " (\($0))" } ?? "")
        case .attach(let replacing):
            return "would attach \(license) to \(service ?? "?")"
                + (replacing.map { " in place of license \($0)" } ?? "") + because
        case .reuse(nil):
            return "would reuse free \(license) for \(service ?? "?")"
        case .reuse(let replaced?):
            return "would take free \(license) for \(service ?? "?") and let license \(replaced) go"
        case .renew(let term, let lapsed):
            return "would renew \(license)\(ofService) for \(term.period)" + Self.cost(term)
                + (lapsed.map { " (it lapsed on \($0)), to resume it" } ?? "")
        case .suspend: return "would suspend \(license)\(ofService)"
        case .resume: return "would resume \(license)\(ofService)"
        case .edit(let what): return "would change \(license)\(ofService): \(what)"
        case .park: return "would park \(license)\(ofService) in the free pool" + because
        case .delete(let described): return "would delete \(described ?? license + ofService)" + because
        case .retariff(let term):
            return "would change \(license)\(ofService) to \(term.described)" + Self.cost(term)
                + (why.map { " (\($0))" } ?? "")
        case .settle(let kind, let key): return "would settle the \(kind) in doubt (\(key))"
        case .newKey: return "would make a new key for \(license)\(ofService)"
        }
    }

    private static func cost(_ term: TariffTerm) -> String { term.price.map { ": \($0)" } ?? "" }
}
