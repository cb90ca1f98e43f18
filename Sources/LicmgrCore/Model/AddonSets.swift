/// The addons of services read so far, each set kept once: thousands of services share a
/// few sets (`panel=Lite`), and a table per service weighs some 140 bytes.
struct AddonSets {
    private var seen: Set<[String: String]> = []
    /// Sets past this many are not kept: an account whose services all differ gains nothing.
    static let most = 1000

    /// `addons`, or an equal set read before, whose storage it then shares.
    mutating func shared(_ addons: [String: String]) -> [String: String] {
        if addons.isEmpty { return addons }
        if let index = seen.firstIndex(of: addons) { return seen[index] }
        if seen.count < Self.most { seen.insert(addons) }
        return addons
    }
}
