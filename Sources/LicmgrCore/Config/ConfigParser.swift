import FoundationEssentials
import Glibc

/// Reads a cpbillmgr.conf-style file: one directive per line, fields split by blanks,
/// `#` starts a comment anywhere. Directive and `Option` names ignore case.
public struct ConfigParser: Sendable {
    static let directives = [
        "Url", "User", "Password", "PasswordFile", "Database", "CAFile", "Price", "Period", "Option",
        "ReusePrice", "RenewBefore", "ConnectTimeout", "Timeout", "SettleAfter", "SpendLimit",
        "Parallel", "Hook", "MetricsFile", "Log",
    ]

    /// The directives that take one bounded number.
    static let numbers:
        [String: (field: WritableKeyPath<Config, Int> & Sendable, unit: String, range: ClosedRange<Int>)] = [
            "RenewBefore": (\.renewBefore, "days", 0...365),
            "ConnectTimeout": (\.connectTimeout, "seconds", 1...600),
            "Timeout": (\.timeout, "seconds", 1...3600),
            "SettleAfter": (\.settleAfter, "seconds", 0...86_400),
            "Parallel": (\.parallel, "remote calls in flight", 1...32),
        ]

    /// The environment variable that overrides the password, read by the caller.
    public static let passwordVariable = "LICMGR_PASSWORD"

    public init() {}

    /// Loads and validates the file at `path`. `passwordOverride` (from `LICMGR_PASSWORD`)
    /// replaces the configured password but does not excuse a readable file that holds one.
    public func load(path: String, passwordOverride: String? = nil) throws -> Config {
        let absolute = Self.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        guard let data = FileManager.default.contents(atPath: absolute) else {
            var reason = Self.whyUnreadable(absolute)
            if reason == "no such file" {
                reason += "; write one (see licmgr.conf(5) and the sample licmgr.conf) or give --config PATH"
            }
            throw ConfigError.unreadable(file: absolute, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.unreadable(file: absolute, reason: "not UTF-8 text")
        }
        var config = try parse(text, path: absolute)
        if case .line = config.passwordSource {
            try Self.requirePrivate(absolute)
        }
        if case .file(let passwordPath) = config.passwordSource {
            try Self.requirePrivate(passwordPath)
            do {
                config.password = try Self.readPasswordFile(passwordPath)
            } catch let error as ConfigError where access(passwordPath, R_OK) != 0 && errno == EACCES {
                config.passwordUnreadable = error
            }
        }
        if let passwordOverride, !passwordOverride.isEmpty {
            config.password = passwordOverride
            config.passwordSource = .environment
        }
        return config
    }

    /// Parses config text; `path` names the file in errors and anchors relative paths.
    public func parse(_ text: String, path: String) throws -> Config {
        var config = Config(path: path)
        let directory = Path.parent(of: path)
        var seen: [String: Int] = [:]
        var priceLines: [String: Config.PriceRule] = [:]

        // `isNewline` takes "\r\n" (one Character in Swift) as well as "\n" and "\r".
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let line =
                rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard let word = fields.first else { continue }
            guard let directive = Self.directives.first(where: { $0.equalsIgnoringCase(word) })
            else {
                throw ConfigError.unknownDirective(
                    file: path, line: number, word: word, suggestion: Self.nearest(word, in: Self.directives))
            }
            let values = Array(fields.dropFirst())
            let context = LineContext(file: path, line: number, directive: directive, values: values)

            switch directive {
            case "Url", "User", "Database", "PasswordFile", "CAFile", "Password", "Hook", "MetricsFile", "Log":
                if let earlier = seen[directive] {
                    throw ConfigError.conflict(file: path, line: number, directive: directive, earlierLine: earlier)
                }
                seen[directive] = number
                switch directive {
                case "Url": config.url = try Self.url(context)
                case "User": config.user = try context.single("a user name")
                case "Database":
                    config.database = Self.absolute(try context.single("a file path"), relativeTo: directory)
                case "CAFile": config.caFile = Self.absolute(try context.single("a file path"), relativeTo: directory)
                case "Hook":
                    let (hook, timeout) = try Self.hook(context)
                    config.hook = hook
                    if let timeout { config.hookTimeout = timeout }
                case "MetricsFile":
                    config.metricsFile = Self.absolute(try context.single("a file path"), relativeTo: directory)
                case "Log":
                    config.log = Self.logTarget(try context.single("syslog, stderr, none or a file path"), directory)
                case "PasswordFile":
                    if let other = seen["Password"] {
                        throw ConfigError.conflict(file: path, line: number, directive: directive, earlierLine: other)
                    }
                    config.passwordSource = .file(
                        Self.absolute(try context.single("a file path"), relativeTo: directory))
                default:
                    if let other = seen["PasswordFile"] {
                        throw ConfigError.conflict(file: path, line: number, directive: directive, earlierLine: other)
                    }
                    config.password = try Self.passwordValue(line, context)
                    config.passwordSource = .line(number)
                }
            case "Price":
                guard values.count >= 2 else {
                    throw context.missing("an addon name and a remote tariff id")
                }
                let tariff = try context.integer(values[values.count - 1], "a remote tariff id", positive: true)
                for name in values.dropLast() {
                    if let earlier = priceLines[name.lowercased()], earlier.tariff != tariff {
                        throw ConfigError.conflict(
                            file: path, line: number, directive: "Price \(name)", earlierLine: earlier.line)
                    }
                    let rule = Config.PriceRule(name: name, tariff: tariff, line: number)
                    priceLines[name.lowercased()] = rule
                    config.prices.append(rule)
                }
            case "Period":
                let rule = try Self.period(context)
                if let earlier = config.periods.first(where: { $0.local == rule.local && $0.tariff == rule.tariff }) {
                    if earlier.remote != rule.remote {
                        throw ConfigError.conflict(
                            file: path, line: number, directive: "Period", earlierLine: earlier.line)
                    }
                } else {
                    config.periods.append(rule)
                }
            case "Option":
                let name = try context.single("an option name")
                guard
                    let option = Config.Option.allCases.first(where: {
                        $0.rawValue.equalsIgnoringCase(name)
                    })
                else {
                    throw ConfigError.unknownOption(
                        file: path, line: number, word: name,
                        suggestion: Self.nearest(name, in: Config.Option.allCases.map(\.rawValue)))
                }
                config.options.insert(option)
            case "ReusePrice":
                guard !values.isEmpty else { throw context.missing("a local package id") }
                for value in values {
                    let package = try context.integer(value, "a local package id", positive: true)
                    if !config.reusePackages.contains(package) { config.reusePackages.append(package) }
                }
            case "SpendLimit":
                let text = try context.single("an amount such as 500 or 500.00")
                guard let limit = Money.parse(text) else {
                    throw ConfigError.badValue(
                        file: path, line: number, directive: directive, value: text,
                        expected: "an amount such as 500 or 500.00, at most four decimals (the catalogue's currency)")
                }
                config.spendLimit = limit
            case let name where Self.numbers[name] != nil:
                let number = Self.numbers[name]!
                let expected =
                    "a number of \(number.unit) from \(number.range.lowerBound) to \(number.range.upperBound)"
                config[keyPath: number.field] = try context.integer(
                    try context.single("a number of \(number.unit)"), expected, range: number.range)
            default:
                preconditionFailure("directive \(directive) listed but not handled")
            }
        }
        return config
    }

    // MARK: - Lines

    struct LineContext {
        var file: String
        var line: Int
        var directive: String
        var values: [String]

        func missing(_ expected: String) -> ConfigError {
            .missingValue(file: file, line: line, directive: directive, expected: expected)
        }

        func single(_ expected: String) throws -> String {
            guard let first = values.first else { throw missing(expected) }
            if values.count > 1 {
                throw ConfigError.extraValue(file: file, line: line, directive: directive, value: values[1])
            }
            return first
        }

        func integer(_ text: String, _ expected: String, positive: Bool = false) throws -> Int {
            guard let value = Int(text), !positive || value > 0 else {
                throw ConfigError.badValue(
                    file: file, line: line, directive: directive, value: text, expected: expected)
            }
            return value
        }

        func integer(_ text: String, _ expected: String, range: ClosedRange<Int>) throws -> Int {
            guard let value = Int(text), range.contains(value) else {
                throw ConfigError.badValue(
                    file: file, line: line, directive: directive, value: text, expected: expected)
            }
            return value
        }
    }

    private static func url(_ context: LineContext) throws -> String {
        let text = try context.single("the remote BILLmanager address")
        let lower = text.lowercased()
        let host = text.drop(while: { $0 != ":" }).dropFirst(3)
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), !host.isEmpty else {
            throw ConfigError.badValue(
                file: context.file, line: context.line, directive: "Url", value: text,
                expected: "an http:// or https:// address")
        }
        return text
    }

    /// `Hook PATH [TIMEOUT]`: the path must be absolute, since the hook runs from `/`.
    private static func hook(_ context: LineContext) throws -> (String, Int?) {
        let values = context.values
        guard let path = values.first else { throw context.missing("the absolute path of a program") }
        if values.count > 2 {
            throw ConfigError.extraValue(file: context.file, line: context.line, directive: "Hook", value: values[2])
        }
        guard path.hasPrefix("/") else {
            throw ConfigError.badValue(
                file: context.file, line: context.line, directive: "Hook", value: path,
                expected: "an absolute path (the hook runs from /)")
        }
        guard values.count == 2 else { return (path, nil) }
        return (path, try context.integer(values[1], "a number of seconds from 1 to 600", range: 1...600))
    }

    /// A keyword in any case, else a file path; `./syslog` names a file called syslog.
    private static func logTarget(_ value: String, _ directory: String) -> Config.LogTarget {
        switch value.lowercased() {
        case "syslog": return .syslog
        case "stderr": return .stderr
        case "none": return .none
        default: return .file(absolute(value, relativeTo: directory))
        }
    }

    /// `Password` keeps the rest of its line, inner blanks included.
    private static func passwordValue(_ line: String, _ context: LineContext) throws -> String {
        let afterWord = line.drop(while: { $0 == " " || $0 == "\t" }).drop(while: { $0 != " " && $0 != "\t" })
        let value = afterWord.trimmingBlanks()
        guard !value.isEmpty else { throw context.missing("the password (or use PasswordFile)") }
        return value
    }

    private static func period(_ context: LineContext) throws -> Config.PeriodRule {
        let values = context.values
        guard values.count >= 2 else {
            throw context.missing("a local period (or ALL), a remote period id and, optionally, a remote tariff id")
        }
        if values.count > 3 {
            throw ConfigError.extraValue(file: context.file, line: context.line, directive: "Period", value: values[3])
        }
        let local: Int?
        if values[0].equalsIgnoringCase("ALL") {
            local = nil
        } else {
            local = try context.integer(values[0], "a local period id or ALL")
        }
        let remote = try context.integer(values[1], "a remote period id")
        let tariff = values.count == 3 ? try context.integer(values[2], "a remote tariff id", positive: true) : nil
        if local == nil && tariff == nil {
            throw context.missing("a remote tariff id after 'Period ALL \(values[1])'")
        }
        return Config.PeriodRule(local: local, remote: remote, tariff: tariff, line: context.line)
    }

    // MARK: - Files

    static func absolute(_ path: String, relativeTo directory: String) -> String {
        Path.standardized(path.hasPrefix("/") ? path : Path.join(directory, path))
    }

    private static func whyUnreadable(_ path: String) -> String {
        var isDirectory = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        return isDirectory ? "it is a directory" : "permission denied"
    }

    /// A file holding the password must not be open to group or others.
    private static func requirePrivate(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigError.unreadable(file: path, reason: whyUnreadable(path))
        }
        if Int(info.st_mode) & 0o077 != 0 {
            throw ConfigError.insecure(file: path, mode: Int(info.st_mode))
        }
    }

    private static func readPasswordFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ConfigError.unreadable(file: path, reason: whyUnreadable(path))
        }
        let password =
            text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first
            .map(String.init) ?? ""
        guard !password.isEmpty else {
            throw ConfigError.unreadable(file: path, reason: "its first line is empty; it must hold the password")
        }
        return password
    }

    /// The known name closest to `word`, when close enough to be a likely typo.
    static func nearest(_ word: String, in names: [String]) -> String? {
        let lowered = Array(word.lowercased())
        let limit = max(2, lowered.count / 3)
        // Words whose lengths differ by more than the limit are further apart than it: a long
        // word is compared with no name at all, where the distance would cost its length times
        // every name's (seven seconds for a line of 1 MB).
        let scored = names.compactMap { name -> (String, Int)? in
            let candidate = Array(name.lowercased())
            guard abs(candidate.count - lowered.count) <= limit else { return nil }
            return (name, editDistance(lowered, candidate))
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= limit ? best.0 : nil
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
