/// A fault in the config file or the files it names. Every case says where.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    /// A file licmgr appends to, the `Log` file, that it cannot write.
    case unwritable(file: String, reason: String)
    case unknownDirective(file: String, line: Int, word: String, suggestion: String?)
    case unknownOption(file: String, line: Int, word: String, suggestion: String?)
    case missingValue(file: String, line: Int, directive: String, expected: String)
    case badValue(file: String, line: Int, directive: String, value: String, expected: String)
    case extraValue(file: String, line: Int, directive: String, value: String)
    case conflict(file: String, line: Int, directive: String, earlierLine: Int)
    case missingSetting(file: String, directive: String)
    /// A `Price` or `Period` line naming a tariff or period the imported catalogue does not sell.
    case notSold(file: String, line: Int, directive: String, reason: String)
    /// No `Period` line covers a tariff whose periods licmgr cannot tell.
    case noPeriod(file: String, tariff: Int, local: Int?, reason: String)
    /// A file holding the password that others may read; refused before anything else runs.
    case insecure(file: String, mode: Int)

    /// The config line at fault, when one is.
    public var line: Int? {
        switch self {
        case .unknownDirective(_, let line, _, _), .unknownOption(_, let line, _, _), .missingValue(_, let line, _, _),
            .badValue(_, let line, _, _, _), .extraValue(_, let line, _, _), .conflict(_, let line, _, _),
            .notSold(_, let line, _, _):
            return line
        case .unreadable, .unwritable, .missingSetting, .noPeriod, .insecure:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .unwritable(let file, let reason):
            return "\(file): cannot write: \(reason)"
        case .unknownDirective(let file, let line, let word, let suggestion):
            return "\(file):\(line): unknown directive '\(word.quotable())'"
                + Self.hint(suggestion, among: ConfigParser.directives)
        case .unknownOption(let file, let line, let word, let suggestion):
            return "\(file):\(line): unknown Option '\(word.quotable())'"
                + Self.hint(suggestion, among: Config.Option.allCases.map(\.rawValue))
        case .missingValue(let file, let line, let directive, let expected):
            return "\(file):\(line): \(directive) needs \(expected)"
        case .badValue(let file, let line, let directive, let value, let expected):
            return "\(file):\(line): \(directive): '\(value)' is not \(expected)"
        case .extraValue(let file, let line, let directive, let value):
            return "\(file):\(line): \(directive): unexpected '\(value)'"
        case .conflict(let file, let line, let directive, let earlierLine):
            return "\(file):\(line): \(directive) conflicts with line \(earlierLine)"
        case .missingSetting(let file, let directive):
            return "\(file): no \(directive) line; the remote cannot be reached without it"
        case .notSold(let file, let line, let directive, let reason):
            return "\(file):\(line): \(directive): \(reason)"
        case .noPeriod(let file, let tariff, let local, let reason):
            let local = local.map(String.init) ?? "ALL"
            return "\(file): no Period line says which period of tariff \(tariff) to buy for local period \(local): "
                + "\(reason); add 'Period \(local) <remote period id> \(tariff)' or run 'licmgr import-tariffs'"
        case .insecure(let file, let mode):
            let octal = String(mode & 0o777, radix: 8)
            return "\(file): holds a password but has mode \(octal); run 'chmod 600 \(file)'"
        }
    }

    /// A likely typo gets its correction; a word far from every name gets the whole list.
    private static func hint(_ suggestion: String?, among names: [String]) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? "; known names are \(names.joined(separator: ", "))"
    }
}
