/// Bad input data from the command line or an import file (exit 65; an input file that cannot
/// be read at all, 66): nothing was recorded.
public enum InputError: Error, Equatable, Sendable, CustomStringConvertible {
    case badIP(String)
    case badName(String)
    case badAddon(String)
    case unresolvableAddon(key: String, value: String, catalogueImported: Bool)
    case tariffNotSold(key: String, value: String, reason: String)
    /// A service's `addon_<id>=<count>` that no order can carry as given.
    case badAddonCount(key: String, value: String, reason: String)
    case unknownService(Int)
    case serviceExists(Int)
    case unknownLicense(String)
    case badImport(source: String, location: String?, reason: String)
    case unreadableFile(path: String, reason: String)
    case closedService(Int)
    /// `service import --prune` would close more services than `PruneGuard` lets it.
    case pruneRefused(source: String, closing: Int, open: Int, reason: String)

    public var description: String {
        switch self {
        case .badIP(let text):
            return "'\(text)' is not an IPv4 or IPv6 address"
        case .badName(let text):
            return "'\(text)' is not a usable service name (it must be non-empty, one line, at most 200 characters)"
        case .badAddon(let text):
            return "addon '\(text)' is not of the form KEY=VALUE"
        case .unresolvableAddon(let key, let value, let imported):
            let why =
                imported
                ? "no Price line names it and no tariff of the imported catalogue matches"
                : "no Price line names it, it holds no tariff id and it is none of Lite, Pro, Host, Business "
                    + "(a lone digit, as in Lite5, is not taken for one)"
            let fix =
                value.contains(where: \.isWhitespace)
                ? "give the addon an internal name without blanks and map it with a Price line"
                : "add 'Price \(Resolver.name(addon: key, value: value)) <remote tariff id>' to the config"
            return "addon \(key)=\(value) maps to no remote tariff: \(why); \(fix)"
        case .tariffNotSold(let key, let value, let reason):
            return "addon \(key)=\(value): \(reason); map it with a Price line to a tariff the remote sells"
        case .badAddonCount(let key, let value, let reason):
            return "addon \(key)=\(value) counts a part of a tariff: \(reason)"
        case .unknownService(let id):
            return "no service with id \(id); add it with 'licmgr service add'"
        case .serviceExists(let id):
            return "service \(id) exists already; change it with 'licmgr service set'"
        case .unknownLicense(let text):
            return "no license \(text) is known; run 'licmgr sync' to read the remote list"
        case .badImport(let source, let location, let reason):
            return "\(source)\(location.map { ", \($0)" } ?? ""): \(reason); nothing was imported"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read: \(reason); nothing was imported"
        case .closedService(let id):
            return "service \(id) is closed; closed services cannot be reopened: add a new service"
        case .pruneRefused(let source, let closing, let open, let reason):
            return "\(source): --prune would close \(closing) of \(open) open services, \(reason); nothing was "
                + "imported; if that is meant, run again with --prune-max \(closing) (with --dry-run to list them first)"
        }
    }
}

/// A command line that parses but asks for something ambiguous or impossible (exit 64).
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ message: String) { description = message }
}
