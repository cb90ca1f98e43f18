/// One finished run of a command that reached for the remote: what `status` shows and
/// monitoring reads.
public struct RunRecord: Sendable, Equatable {
    public var command: String
    public var startedAt: String
    public var endedAt: String
    public var exitCode: Int
    /// How many items the run reported per action (`ordered`, `renewed`, ...), zeros left out.
    public var counts: [String: Int]

    public init(command: String, startedAt: String, endedAt: String, exitCode: Int, counts: [String: Int] = [:]) {
        self.command = command
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.counts = counts
    }

    public var succeeded: Bool { exitCode == 0 }
}

/// The account's balance as the remote reported it.
public struct AccountBalance: Sendable, Equatable {
    /// Hundredths of `currency`; negative when the account owes.
    public var cents: Int
    /// As the remote named it; nil when it did not say.
    public var currency: String?

    public init(cents: Int, currency: String?) {
        self.cents = cents
        self.currency = currency
    }
}

/// The balance as last read, and when.
public struct BalanceReading: Sendable, Equatable {
    public var balance: AccountBalance
    public var at: String

    public init(balance: AccountBalance, at: String) {
        self.balance = balance
        self.at = at
    }
}
