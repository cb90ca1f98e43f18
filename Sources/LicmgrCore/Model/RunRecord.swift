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

    /// The counts that say the run changed a license on the remote, or learnt that an earlier
    /// run's change went through (`settled`).
    public static let remoteChanges: Set<String> = [
        "ordered", "attached", "reused", "renewed", "settled", "suspended", "resumed", "edited", "retariffed",
        "parked", "deleted",
    ]

    public var changedRemote: Bool { counts.contains { Self.remoteChanges.contains($0.key) && $0.value > 0 } }

    /// A timestamp of the form `time.timestamp` writes as RFC 3339: `2026-12-06T11:21:58Z`.
    public static func rfc3339(_ timestamp: String) -> String {
        guard seconds(timestamp) != nil else { return timestamp }
        return timestamp.replacing(" ", with: "T") + "Z"
    }

    /// Seconds since 1970 of a timestamp of the form `time.timestamp` writes, `YYYY-MM-DD HH:MM:SS` UTC.
    public static func seconds(_ timestamp: String) -> Int? {
        let parts = timestamp.split(separator: " ")
        guard parts.count == 2, let day = Day(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        return day.ordinal * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }
}

/// The account's balance as the remote reported it.
public struct AccountBalance: Sendable, Equatable {
    /// Ten-thousandths of `currency` (`Money`); negative when the account owes.
    public var amount: Int
    /// As the remote named it; nil when it did not say.
    public var currency: String?

    public init(amount: Int, currency: String?) {
        self.amount = amount
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

/// How many runs of a command ended with an exit code.
public struct RunTotal: Sendable, Equatable {
    public var command: String
    public var exitCode: Int
    public var count: Int

    public init(command: String, exitCode: Int, count: Int) {
        self.command = command
        self.exitCode = exitCode
        self.count = count
    }
}

/// How many journaled steps of a kind ended in a state.
public struct StepTotal: Sendable, Equatable {
    public var kind: RemoteOperation.Kind
    public var state: RemoteOperation.State
    public var count: Int

    public init(kind: RemoteOperation.Kind, state: RemoteOperation.State, count: Int) {
        self.kind = kind
        self.state = state
        self.count = count
    }
}
