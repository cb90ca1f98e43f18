/// The account's licenses by id, with the two lookups the API makes on every listing page and
/// every order kept beside them, so that an account of 100,000 licenses costs the simulator
/// no more per call than a small one. Every write goes through `put`, which keeps them true.
struct LicenseTable {
    private var rows: [Int: License] = [:]
    /// Listing order per family (`soft`, `softexternal`, `platform`), sorted once after the
    /// set of licenses in a family changes rather than on every page.
    private var listingOrder: [String?: [Int]] = [:]
    /// Ids by address in its normal spelling, so checking an IP reads its few holders, not every row.
    private var idsByAddress: [String: Set<Int>] = [:]

    subscript(id: Int) -> License? {
        rows[id]
    }

    var sortedByID: [License] {
        rows.values.sorted { $0.id < $1.id }
    }

    mutating func put(_ license: License) {
        let old = rows.updateValue(license, forKey: license.id)
        if old?.pricelist != license.pricelist { listingOrder = [:] }
        guard old?.ip != license.ip else { return }
        if let old { idsByAddress[IPAddress.normal(old.ip)]?.remove(old.id) }
        idsByAddress[IPAddress.normal(license.ip), default: []].insert(license.id)
    }

    mutating func removeAll() {
        self = LicenseTable()
    }

    mutating func ids(family: String?) -> [Int] {
        if let ids = listingOrder[family] { return ids }
        let ids = rows.values.filter { Catalogue.family(ofTariff: $0.pricelist) == family }.map(\.id).sorted()
        listingOrder[family] = ids
        return ids
    }

    /// The licenses whose IP is this address, however either is spelled.
    func holders(of ip: String) -> [License] {
        (idsByAddress[IPAddress.normal(ip)] ?? []).compactMap { rows[$0] }
    }
}
