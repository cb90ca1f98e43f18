/// Keeps cron's mail to news during an outage: an error that repeats every run is printed
/// when it starts (or meets a cause it had not met), at most once an hour while it lasts, and
/// is followed by one line when it ends. Only what is printed, and when the hook is called,
/// changes; the exit code and the log trail keep every run.
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

    /// What one run showed: the conditions it met, each with its cause, and those it showed
    /// to be over.
    public struct Observation: Equatable, Sendable {
        public var present: [RepeatingError.Condition: String] = [:]
        public var over: Set<RepeatingError.Condition> = []

        public init(present: [RepeatingError.Condition: String] = [:], over: Set<RepeatingError.Condition> = []) {
            self.present = present
            self.over = over
        }
    }

    /// Which of the run's repeating errors to print now, and which ended with this run.
    public struct Verdict: Equatable, Sendable {
        public var print: Set<RepeatingError.Condition> = []
        /// Printed because they met a cause not met before since they started.
        public var newCause: Set<RepeatingError.Condition> = []
        /// The run's repeating errors as recorded after it: since when, how many runs.
        public var met: [RepeatingError] = []
        public var ended: [RepeatingError] = []

        public init() {}

        /// Whether the run is news for cron's mail and the hook: an error starts, meets a new
        /// cause, is due again, or ends.
        public var isNews: Bool { !print.isEmpty || !ended.isEmpty }

        /// How each repeating error the run printed or ended stands, for the hook.
        public var events: [Event] {
            let going = met.filter { print.contains($0.condition) }.map { error in
                Event(
                    error: error,
                    state: error.runs == 1 ? .started : newCause.contains(error.condition) ? .newCause : .repeating)
            }
            return going + ended.map { Event(error: $0, state: .ended) }
        }
    }

    /// A repeating error as the hook hears of it.
    public struct Event: Equatable, Sendable {
        public enum State: String, Sendable {
            /// Its first run.
            case started
            /// Still on, with a cause it had not met since it started.
            case newCause = "new_cause"
            /// Still on, printed again an hour after it last was.
            case repeating
            /// This run showed it over.
            case ended
        }

        public var error: RepeatingError
        public var state: State
    }

    /// Records one run's observation and says what to print.
    public func record(_ observation: Observation) throws -> Verdict {
        var verdict = Verdict()
        try store.transaction {
            let known = Dictionary(
                try store.repeatingErrors(command: command).map { ($0.condition, $0) }, uniquingKeysWith: { a, _ in a })
            for (condition, cause) in observation.present.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                var error =
                    known[condition]
                    ?? RepeatingError(command: command, condition: condition, since: now, runs: 0, printedAt: now)
                error.runs += 1
                let newCause = error.runs > 1 && !cause.isEmpty && !error.causes.contains(cause)
                if !cause.isEmpty { error.causes.insert(cause) }
                if error.runs == 1 || newCause || error.printedAt <= due {
                    error.printedAt = now
                    verdict.print.insert(condition)
                    if newCause { verdict.newCause.insert(condition) }
                }
                try store.save(error)
                verdict.met.append(error)
            }
            for condition in observation.over.subtracting(observation.present.keys).sorted(by: {
                $0.rawValue < $1.rawValue
            }) {
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
        case .notProtocol, .redirected, .htmlPage, .refused, .interrupted, .abandoned: return nil
        }
    }

    /// What kind of failure a run-stopping error is, within its condition: no connection, TLS,
    /// no answer in time, a 5xx, an answer lost, a listing not whole. Details that change from
    /// run to run (the time libcurl took, which call, which status) are no new cause.
    public static func cause(of error: RemoteError) -> String {
        switch error {
        case .unreachable: "unreachable"
        case .tls: "tls"
        case .timedOut: "timed_out"
        case .serverFailure: "server_failure"
        case .answerLost: "answer_lost"
        case .incompleteListing: "incomplete_listing"
        case .authRefused: "credentials"
        case .notProtocol, .redirected, .htmlPage, .refused, .interrupted, .abandoned: ""
        }
    }

    /// What a run that stopped on `error` showed. Nothing is shown over: only a run whose calls
    /// went through shows the remote answering (a remote that refuses the password answers,
    /// but no call of licmgr's succeeds).
    public static func observe(stoppedBy error: any Error) -> Observation {
        guard let remote = error as? RemoteError, let condition = condition(of: remote) else { return Observation() }
        return Observation(present: [condition: cause(of: remote)])
    }

    /// What a run that produced `report` showed.
    public static func observe(_ report: RunReport) -> Observation {
        var observation =
            report.stopped.map { observe(stoppedBy: $0) }
            ?? Observation(over: Set(RepeatingError.Condition.allCases))
        if report.failures.contains(where: isFundsRefusal) { observation.present[.funds] = "" }
        if report.count(.held) > 0 { observation.present[.spendLimit] = "" }
        if let source = report.serviceSource {
            if let failure = source.failure {
                observation.present[.serviceSource] = cause(of: failure)
            } else {
                observation.over.insert(.serviceSource)
            }
        }
        return observation
    }

    /// What kind of failure a `ServiceSource` had: it could not start, it failed or overran,
    /// or the import refused what it printed.
    static func cause(of failure: ServiceSourceOutcome.Failure) -> String {
        switch failure.status {
        case .config: "not_started"
        case .temporary: "failed"
        default: "refused"
        }
    }

    /// A failed item that a purchase refused for lack of funds made.
    public static func isFundsRefusal(_ item: RunReport.Item) -> Bool {
        item.action == .failed && item.detail.contains(LicenseEngine.insufficientFunds)
    }

    /// Whether a run that did not succeed failed only of repeating errors: its stop, if any,
    /// is one, every failed item a refusal for lack of funds, and no step in doubt. Such a
    /// run tells the hook only what `record` calls news.
    public static func failedOnlyOfRepeats(_ report: RunReport) -> Bool {
        if let stopped = report.stopped, condition(of: stopped) == nil { return false }
        if report.count(.inDoubt) > 0 { return false }
        return report.failures.allSatisfy(isFundsRefusal)
    }
}
