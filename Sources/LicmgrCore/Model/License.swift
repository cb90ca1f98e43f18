/// A remote license as last seen, and the service it serves, if any.
public struct License: Sendable, Equatable {
    public enum Status: Int, Sendable, CaseIterable {
        case ordered = 1, active = 2, suspended = 3, deleted = 4, processing = 5

        public var name: String {
            switch self {
            case .ordered: return "ordered"
            case .active: return "active"
            case .suspended: return "suspended"
            case .deleted: return "deleted"
            case .processing: return "processing"
            }
        }

        /// Holds its IP and can be used or renewed.
        public var isLive: Bool { self != .deleted }

        /// Not suspended yet: running, or about to run once the remote has processed it.
        public var isAwake: Bool { self == .active || self == .processing || self == .ordered }
    }

    // Declared so that the fields pack: a listing holds 100,000 of these at once.
    public var id: Int
    public var pricelist: Int
    public var name: String
    public var ip: String
    /// The tariff's name when the remote gave one: a list row that names its tariff instead of
    /// giving its id (then `pricelist` is 0 until the engine resolves the name), or the option
    /// a view's select shows for it. Kept, so that a later row naming the same tariff needs no view.
    public var tariffName: String?
    public var key: String?
    public var remoteID: String?
    public var autoprolong: String?
    public var addon: String?
    public var period: Int?
    public var status: Status
    /// The function family the license is listed and changed under.
    public var line: ProductLine
    /// From a view only, never stored: the form's tariff select shows `tariffName` against this
    /// tariff's id alone, so on this remote the name tells the tariff of other licenses too.
    public var tariffNameIsUnique = false
    /// From a view only, never stored: the form carries no status at all (a form need not), so
    /// `status` is a placeholder and the status licmgr knows stands.
    public var statusUnsaid = false
    /// No longer on the remote list: deleted upstream or behind our back.
    public var gone: Bool
    public var expires: Day?
    public var serviceID: Int?
    public var created: Day?
    /// When the remote last saw the IP and the key change: the pool rule needs a month of rest.
    public var ipChanged: Day?
    public var keyChanged: Day?

    public init(
        id: Int, name: String, ip: String, pricelist: Int, tariffName: String? = nil, line: ProductLine = .soft,
        period: Int? = nil, status: Status,
        expires: Day? = nil, created: Day? = nil, key: String? = nil, remoteID: String? = nil,
        autoprolong: String? = nil, ipChanged: Day? = nil, keyChanged: Day? = nil, serviceID: Int? = nil,
        addon: String? = nil, gone: Bool = false
    ) {
        self.id = id
        self.name = name
        self.ip = ip
        self.pricelist = pricelist
        self.tariffName = tariffName
        self.line = line
        self.period = period
        self.status = status
        self.expires = expires
        self.created = created
        self.key = key
        self.remoteID = remoteID
        self.autoprolong = autoprolong
        self.ipChanged = ipChanged
        self.keyChanged = keyChanged
        self.serviceID = serviceID
        self.addon = addon
        self.gone = gone
    }

    /// Serves a service or could: on the remote and not deleted.
    public var isLive: Bool { status.isLive && !gone }
}

extension License {
    /// This license once it serves `service` through `addon`, on its IP and by its name.
    func serving(_ service: Service, addon: String) -> License {
        var serving = self
        serving.serviceID = service.id
        serving.addon = addon
        serving.ip = service.ip
        serving.name = service.licenseName()
        return serving
    }

    /// The name and IP the vendor's pool rule gives a parked license.
    public static let parkedName = "free.lic"
    public static let parkedIP = "0.0.0.0"

    /// Parked in the free pool.
    public var isParked: Bool { name == Self.parkedName && ip == Self.parkedIP }
}
