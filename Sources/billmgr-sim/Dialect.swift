import Foundation

/// How the simulated remote words its answers. The classic dialect (no traits) is how the
/// project first read the API; each trait is one way the real server is believed to answer
/// instead, from the vendor's pages and the public clients of the same API
/// (shared/spec/billmgr-api.md, "What the real server very likely says differently").
struct Dialect: OptionSet, Sendable {
    let rawValue: Int

    /// Money with four decimals: catalogue costs and balances read `490.0000`.
    static let money4 = Dialect(rawValue: 1 << 0)
    /// Lack of funds refused as `not_enough_money` (code 1) with an `amount` param.
    static let funds = Dialect(rawValue: 1 << 1)
    /// List rows name the tariff (`pricelist` is its name); the view's form gives the id.
    static let tariffNames = Dialect(rawValue: 1 << 2)
    /// Catalogue item types are ids, the name under `itemtype_info.intname`.
    static let itemtypeIDs = Dialect(rawValue: 1 << 3)
    /// A dead session is refused as `access`, and sessions die every few calls.
    static let sessionAccess = Dialect(rawValue: 1 << 4)
    /// BILLmanager 6 list columns: no `remoteid`; `real_ipchange` and `real_keychange`.
    static let bm6Columns = Dialect(rawValue: 1 << 5)
    /// Paging metadata that does not add up: `p_elems` counts the page, the cap goes unsaid.
    static let paging = Dialect(rawValue: 1 << 6)
    /// Node-counted tariffs: the catalogue lists addons with a minimum, orders must send it.
    static let addons = Dialect(rawValue: 1 << 7)
    /// Old paths redirect and the site's root answers an HTML login page.
    static let redirects = Dialect(rawValue: 1 << 8)
    /// Cells worded as the web interface shows them: a row's and a view's `status`, a row's
    /// `period` and dates carry their code as `$orig` beside a word ("Suspended", "1 month",
    /// "31.01.2027"), and softexternal's `item_status` is the word alone.
    static let worded = Dialect(rawValue: 1 << 9)
    /// The edit form shows what may be edited and no `status`, as the project's BILLmanager 6
    /// view fixture has it; the list alone tells a license's status. Not in `all`.
    static let bareForms = Dialect(rawValue: 1 << 10)

    static let names: [(String, Dialect)] = [
        ("money4", .money4), ("funds", .funds), ("tariff-names", .tariffNames), ("itemtype-ids", .itemtypeIDs),
        ("session-access", .sessionAccess), ("bm6-columns", .bm6Columns), ("paging", .paging),
        ("addons", .addons), ("redirects", .redirects), ("worded", .worded),
        ("bare-forms", .bareForms),
    ]

    /// Every trait the real server is believed to have. Not `bare-forms`: a public client reads
    /// `status` from the real `soft.edit`, so a form without one is a hedge licmgr must survive
    /// (DialectLifecycleAcceptanceTests runs it), not what the real server is believed to send.
    static let all = Dialect(names.map(\.1)).subtracting(.bareForms)

    /// Reads `classic`, `all`, or a comma-separated list of trait names; a failure names the bad word.
    static func parse(_ text: String) -> Result<Dialect, DialectError> {
        var dialect: Dialect = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            switch word {
            case "classic": continue
            case "all": dialect.formUnion(.all)
            default:
                guard let trait = names.first(where: { $0.0 == word })?.1 else {
                    return .failure(DialectError(word: word))
                }
                dialect.insert(trait)
            }
        }
        return .success(dialect)
    }

    var description: String {
        let words = Self.names.filter { contains($0.1) }.map(\.0)
        return words.isEmpty ? "classic" : words.joined(separator: ",")
    }
}

struct DialectError: Error {
    let word: String
}
