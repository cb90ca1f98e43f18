/// A new license to buy.
public struct OrderRequest: Sendable, Equatable {
    public var pricelist: Int
    public var line: ProductLine
    public var period: Int
    public var ip: String
    public var name: String
    /// The journal's operation key, so that the remote list can tell which order made a license.
    public var remoteID: String

    public init(pricelist: Int, line: ProductLine = .soft, period: Int, ip: String, name: String, remoteID: String) {
        self.pricelist = pricelist
        self.line = line
        self.period = period
        self.ip = ip
        self.name = name
        self.remoteID = remoteID
    }
}

/// The remote BILLmanager's license functions: the engine's seam to the network.
public protocol LicenseServer {
    /// Every license of the given families on the account, all pages read.
    func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License]
    /// One license with its key and change dates.
    func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License
    /// Buys a license; returns its id. Sent with auto-renewal off.
    func order(_ request: OrderRequest) throws(RemoteError) -> Int
    /// Renames a license or moves it to another IP; nil leaves a field as it is.
    func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError)
    /// Makes a new key; returns it when the answer carries it.
    func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String?
    /// Renews for `period`; returns the new expiry when the answer carries it.
    func prolong(license: Int, period: Int) throws(RemoteError) -> Day?
    func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError)
    func suspend(license: Int, line: ProductLine) throws(RemoteError)
    func resume(license: Int, line: ProductLine) throws(RemoteError)
    func delete(license: Int, line: ProductLine) throws(RemoteError)
    /// The remote tariff catalogue, only what the account may order.
    func exportTariffs() throws(RemoteError) -> [Tariff]
}

extension LicenseServer {
    /// The licenses of ISPsystem's own products: the one family every account has.
    public func listLicenses() throws(RemoteError) -> [License] {
        try listLicenses(lines: [.soft])
    }
}
