/// A local billing's server that may carry license-bearing addons: the desired state.
public struct Service: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case active, suspended, closed
    }

    public var id: Int
    public var name: String
    public var ip: String
    /// The local billing's tariff id, matched against `ReusePrice`.
    public var package: Int?
    /// The local order-period id, resolved through `Period` lines.
    public var period: Int?
    /// Addon key to value, as the local billing names them.
    public var addons: [String: String]
    public var status: Status

    public init(
        id: Int, name: String, ip: String, package: Int? = nil, period: Int? = nil,
        addons: [String: String] = [:], status: Status = .active
    ) {
        self.id = id
        self.name = name
        self.ip = ip
        self.package = package
        self.period = period
        self.addons = addons
        self.status = status
    }

    /// The remote license name, by the vendor's convention.
    public func licenseName() -> String { "Item #\(id) addon \(name)" }

    /// `key=value` pairs sorted by key, or `-` for none.
    public static func addonSummary(_ addons: [String: String]) -> String {
        if addons.isEmpty { return "-" }
        return addons.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
