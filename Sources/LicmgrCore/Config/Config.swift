/// The settings of one licmgr.conf, resolved: paths absolute, names normalised.
public struct Config: Sendable, Equatable {
    /// The `Option` flags, by their canonical names.
    public enum Option: String, CaseIterable, Sendable {
        case reUseLicense = "ReUseLicense"
        case useExistingOnUpgrade = "UseExistingOnUpgrade"
        case noFixSuspended = "NoFixSuspended"
    }

    /// Where the password came from, for `config check`; the value itself is never shown.
    public enum PasswordSource: Equatable, Sendable {
        case none
        case line(Int)
        case file(String)
        case environment
    }

    /// A `Price` line: a local addon name mapped to a remote tariff id.
    public struct PriceRule: Equatable, Sendable {
        public var name: String
        public var tariff: Int
        public var line: Int
    }

    /// A `Period` line: `local` is nil for `ALL`; `tariff` is nil for the two-field form.
    public struct PeriodRule: Equatable, Sendable {
        public var local: Int?
        public var remote: Int
        public var tariff: Int?
        public var line: Int

        /// The line as written, for messages.
        public var text: String {
            "Period \(local.map(String.init) ?? "ALL") \(remote)" + (tariff.map { " \($0)" } ?? "")
        }
    }

    /// Where the log trail goes: one line per run and per remote step that spends money or
    /// changes a license.
    public enum LogTarget: Equatable, Sendable {
        case syslog
        case stderr
        case file(String)
        case none
    }

    public var path: String
    public var url: String?
    public var user: String?
    public var password: String?
    public var passwordSource: PasswordSource = .none
    /// Why the `PasswordFile` could not be read by this user (a monitoring user, who may read
    /// the config and the database but not the password): only what needs the remote fails.
    public var passwordUnreadable: ConfigError?
    public var database: String = "/var/lib/licmgr/licmgr.db"
    public var caFile: String?
    public var prices: [PriceRule] = []
    public var periods: [PeriodRule] = []
    public var options: Set<Option> = []
    public var reusePackages: [Int] = []
    public var renewBefore: Int = 1
    public var connectTimeout: Int = 10
    public var timeout: Int = 60
    /// How long a step whose answer never came (timed out, or its run killed) may still be
    /// finishing on the remote: until then, not finding its effect does not yet mean it failed.
    public var settleAfter: Int = 600
    /// The most that orders, renewals and tariff changes may spend in 24 hours, in
    /// ten-thousandths of the catalogue's currency (`Money`); nil for no limit.
    public var spendLimit: Int?
    /// How many independent remote calls may be in flight at once; 1 sends one at a time.
    public var parallel: Int = 4
    /// The program run after a run that changed the remote or failed, with its summary on
    /// stdin; an absolute path.
    public var hook: String?
    /// Seconds the hook may take before it is stopped.
    public var hookTimeout: Int = 30
    /// The node_exporter textfile rewritten after each recorded run.
    public var metricsFile: String?
    public var log: LogTarget = .syslog

    public init(path: String) { self.path = path }

    public func has(_ option: Option) -> Bool { options.contains(option) }

    /// The lock file that serialises every command that changes the remote.
    public var lockPath: String { database + ".lock" }

    /// The remote's address and credentials, or the error naming the first one missing.
    public func credentials() throws(ConfigError) -> Credentials {
        guard let url else { throw .missingSetting(file: path, directive: "Url") }
        guard let user else { throw .missingSetting(file: path, directive: "User") }
        guard let password else {
            throw passwordUnreadable ?? .missingSetting(file: path, directive: "Password or PasswordFile")
        }
        return Credentials(url: url, user: user, password: password)
    }
}

/// What the remote client needs to log in. `description` hides the password so that
/// printing the value by mistake cannot leak it.
public struct Credentials: Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var user: String
    public var password: String

    public init(url: String, user: String, password: String) {
        self.url = url
        self.user = user
        self.password = password
    }

    public var description: String { "\(user) at \(url)" }
}
