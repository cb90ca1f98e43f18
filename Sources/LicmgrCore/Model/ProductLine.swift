/// Which family of remote functions serves a license: ISPsystem's own products (`soft.*`),
/// third-party ones such as CloudLinux (`softexternal.*`), or version-6 platforms
/// (`platform.*`). Each family has its own list; renewal and tariff changes (`service.*`)
/// work on all.
public enum ProductLine: String, Sendable, CaseIterable, Comparable {
    case soft, softexternal, platform

    /// Tariffs of the other families that are known before the catalogue is imported.
    static let knownTariffs: [Int: ProductLine] = [
        9203: .softexternal, 9204: .softexternal, 11738: .softexternal, 55163: .platform, 55161: .platform,
    ]

    /// The family of a catalogue item type, by its internal name; nil for any other item type
    /// (a VPS, a domain, or an item type known only by its number), which licmgr cannot order:
    /// guessing `soft` would send its orders to the wrong functions and lose its licenses.
    public init?(itemType: String) {
        self.init(rawValue: itemType.lowercased())
    }

    /// The function for `verb` in this family: `soft.edit` becomes `softexternal.edit`.
    public func function(_ verb: String) -> String {
        precondition(verb == "soft" || verb.hasPrefix("soft."), "not a soft.* function: \(verb)")
        return rawValue + verb.dropFirst("soft".count)
    }

    public static func < (lhs: ProductLine, rhs: ProductLine) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
