/// An error a cron command has met on every run since `since`.
public struct RepeatingError: Sendable, Equatable {
    public enum Condition: String, Sendable, CaseIterable {
        /// The remote cannot be reached, refuses TLS, times out or fails with 5xx.
        case remoteDown = "remote_down"
        /// The remote refuses the credentials.
        case credentials
        /// A purchase or renewal was refused for lack of funds.
        case funds
    }

    public var command: String
    public var condition: Condition
    public var since: String
    /// How many runs in a row met it, the first included.
    public var runs: Int
    /// When it was last printed, and so mailed by cron.
    public var printedAt: String

    public init(command: String, condition: Condition, since: String, runs: Int, printedAt: String) {
        self.command = command
        self.condition = condition
        self.since = since
        self.runs = runs
        self.printedAt = printedAt
    }
}

/// Keeps cron's mail to news during an outage: an error that repeats every run is printed
/// when it starts, at most once an hour while it lasts, and is followed by one line when it
/// ends. Only what is printed changes; the exit code and the log trail keep every run.
public struct MailHygiene {
    /// How long a repeating error stays unprinted.
    public static let interval = 3600

    let store: any StateStore
    let command: String
    /// The run's one instant, so that what is held back while it runs and what is recorded
    /// at its end agree.
    let now: String
    /// A repeating error last printed at or before this is printed again.
    let due: String

    public init(store: any StateStore, time: any TimeSource, command: String) {
        self.store = store
        self.command = command
        now = time.timestamp
        due = time.timestamp(secondsAgo: Self.interval)
    }

    /// Whether `condition`, should this run meet it, is to be printed: new, or last printed
    /// an hour ago or more.
    public func prints(_ condition: RepeatingError.Condition) throws -> Bool {
        guard let error = try store.repeatingErrors(command: command).first(where: { $0.condition == condition })
        else { return true }
        return error.printedAt <= due
    }

    /// What one run showed: the conditions it met, and those it showed to be over.
    public struct Observation: Equatable, Sendable {
        public var present: Set<RepeatingError.Condition> = []
        public var over: Set<RepeatingError.Condition> = []

        public init(present: Set<RepeatingError.Condition> = [], over: Set<RepeatingError.Condition> = []) {
            self.present = present
            self.over = over
        }
    }

    /// Which of the run's repeating errors to print now, and which ended with this run.
    public struct Verdict: Equatable, Sendable {
        public var print: Set<RepeatingError.Condition> = []
        public var ended: [RepeatingError] = []
    }

    /// Records one run's observation and says what to print.
    public func record(_ observation: Observation) throws -> Verdict {
        var verdict = Verdict()
        try store.transaction {
            let known = Dictionary(
                try store.repeatingErrors(command: command).map { ($0.condition, $0) }, uniquingKeysWith: { a, _ in a })
            for condition in observation.present.sorted(by: { $0.rawValue < $1.rawValue }) {
                var error =
                    known[condition]
                    ?? RepeatingError(command: command, condition: condition, since: now, runs: 0, printedAt: now)
                error.runs += 1
                if error.runs == 1 || error.printedAt <= due {
                    error.printedAt = now
                    verdict.print.insert(condition)
                }
                try store.save(error)
            }
            for condition in observation.over.subtracting(observation.present).sorted(by: { $0.rawValue < $1.rawValue })
            {
                guard let error = known[condition] else { continue }
                try store.deleteRepeatingError(command: command, condition: condition)
                verdict.ended.append(error)
            }
        }
        return verdict
    }

    /// The condition a run-stopping error is, if it is one that repeats until someone or
    /// something outside licmgr puts it right.
    public static func condition(of error: any Error) -> RepeatingError.Condition? {
        guard let error = error as? RemoteError else { return nil }
        switch error {
        case .unreachable, .tls, .timedOut, .serverFailure, .answerLost, .incompleteListing: return .remoteDown
        case .authRefused: return .credentials
        case .notProtocol, .redirected, .htmlPage, .refused, .interrupted: return nil
        }
    }

    /// What a run that stopped on `error` showed: an answer of any kind shows the remote up.
    public static func observe(stoppedBy error: any Error) -> Observation {
        guard let remote = error as? RemoteError else { return Observation() }
        switch condition(of: remote) {
        case .credentials: return Observation(present: [.credentials], over: [.remoteDown])
        case let condition?: return Observation(present: [condition])
        case nil:
            if case .interrupted = remote { return Observation() }
            return Observation(over: [.remoteDown])
        }
    }

    /// What a run that produced `report` showed.
    public static func observe(_ report: RunReport) -> Observation {
        let funds = report.failures.contains(where: isFundsRefusal)
        if let stopped = report.stopped {
            var observation = observe(stoppedBy: stopped)
            if funds { observation.present.insert(.funds) }
            return observation
        }
        var observation = Observation(over: Set(RepeatingError.Condition.allCases))
        if funds { observation.present = [.funds] }
        return observation
    }

    /// A failed item that a purchase refused for lack of funds made.
    public static func isFundsRefusal(_ item: RunReport.Item) -> Bool {
        item.action == .failed && item.detail.contains(LicenseEngine.insufficientFunds)
    }
}
