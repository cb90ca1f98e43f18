/// An error a cron command has met on every run since `since`.
public struct RepeatingError: Sendable, Equatable {
    public enum Condition: String, Sendable, CaseIterable {
        /// The remote cannot be reached, refuses TLS, times out or fails with 5xx.
        case remoteDown = "remote_down"
        /// The remote refuses the credentials.
        case credentials
        /// A purchase or renewal was refused for lack of funds.
        case funds
        /// Purchases were held back because they would pass `SpendLimit`.
        case spendLimit = "spend_limit"
        /// The `ServiceSource` program failed, or printed what the import refused.
        case serviceSource = "service_source"
    }

    public var command: String
    public var condition: Condition
    /// The causes met since `since` (`MailHygiene.cause(of:)`): the same condition with another
    /// cause, TLS failing where the connection was refused before, is news.
    public var causes: Set<String>
    public var since: String
    /// How many runs in a row met it, the first included.
    public var runs: Int
    /// When it was last printed, and so mailed by cron.
    public var printedAt: String

    public init(
        command: String, condition: Condition, causes: Set<String> = [], since: String, runs: Int, printedAt: String
    ) {
        self.command = command
        self.condition = condition
        self.causes = causes
        self.since = since
        self.runs = runs
        self.printedAt = printedAt
    }
}
