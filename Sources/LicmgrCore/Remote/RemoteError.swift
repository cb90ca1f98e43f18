import FoundationEssentials
import Glibc

/// What went wrong talking to the remote BILLmanager.
public enum RemoteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No connection was made: nothing reached the remote.
    case unreachable(url: String, detail: String)
    /// TLS failed: certificate not trusted, or the handshake broke. Nothing was sent.
    case tls(url: String, detail: String)
    /// The request went out and no full answer came back in time.
    case timedOut(function: String, seconds: Int)
    /// HTTP 5xx: the remote failed; a change may or may not have been applied.
    case serverFailure(function: String, status: Int)
    /// The connection dropped after the request was sent.
    case answerLost(function: String, detail: String)
    /// The answer is not the BILLmanager JSON protocol.
    case notProtocol(function: String, detail: String)
    /// The Url is not the API: the web server moved it (a 30x, never followed, so that the
    /// credentials go nowhere the config does not name). Nothing was run.
    case redirected(url: String, location: String?)
    /// The Url answers an HTML login page, a site rather than the API. Nothing was run.
    case htmlPage(url: String)
    /// The remote refused the user name or password.
    case authRefused(message: String)
    /// The remote answered with an error: the request was understood and refused. `params`
    /// are the error's named `param`s, such as the `amount` a refusal for lack of funds needs.
    case refused(function: String, type: String, object: String?, message: String, params: [String: String] = [:])
    /// A listing whose pages do not add up to the whole it claims: nothing may be concluded
    /// from it, neither that a license is gone nor that a service lacks one.
    case incompleteListing(function: String, detail: String)
    /// Not a remote failure: the run was asked to stop (SIGINT, SIGTERM) and sent nothing more.
    case interrupted(signal: Int32)
    /// A change sent, whose answer was not waited for after a second signal: the remote may
    /// apply it yet, so it stays in doubt as after a timeout.
    case abandoned(function: String, signal: Int32)

    /// True when the remote may have applied the request: the journal keeps it pending
    /// until the remote list shows what happened.
    public var isInDoubt: Bool {
        switch self {
        case .timedOut, .serverFailure, .answerLost, .notProtocol, .abandoned: return true
        case .unreachable, .tls, .redirected, .htmlPage, .authRefused, .refused, .incompleteListing, .interrupted:
            return false
        }
    }

    /// The same error with `redaction` applied to every text in it, for remotes that echo
    /// the request back in an error page or message.
    public func redacting(_ redaction: Redaction) -> RemoteError {
        func clean(_ text: String) -> String { redaction.apply(text) }
        switch self {
        case .unreachable(let url, let detail): return .unreachable(url: url, detail: clean(detail))
        case .tls(let url, let detail): return .tls(url: url, detail: clean(detail))
        case .timedOut: return self
        case .serverFailure: return self
        case .answerLost(let function, let detail): return .answerLost(function: function, detail: clean(detail))
        case .notProtocol(let function, let detail): return .notProtocol(function: function, detail: clean(detail))
        case .redirected(let url, let location): return .redirected(url: url, location: location.map(clean))
        case .htmlPage: return self
        case .authRefused(let message): return .authRefused(message: clean(message))
        case .refused(let function, let type, let object, let message, let params):
            return .refused(
                function: function, type: type, object: object.map(clean), message: clean(message),
                params: params.mapValues(clean))
        case .incompleteListing, .interrupted, .abandoned: return self
        }
    }

    /// SIGINT or SIGTERM by name, as a person sent it.
    public static func name(_ signal: Int32) -> String {
        signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
    }

    /// The error types of a refusal for lack of funds: `not_enough_money` (code 1), as the
    /// vendor's knowledge base shows BILLmanager refusing, and `account`, the project's first guess.
    public static let lackOfFundsTypes: Set<String> = ["not_enough_money", "account"]

    /// True for a refusal for lack of funds: nothing was bought, and after a top-up the same
    /// step may go through.
    public var isLackOfFunds: Bool {
        if case .refused(_, let type, _, _, _) = self { return Self.lackOfFundsTypes.contains(type) }
        return false
    }

    public var description: String {
        switch self {
        case .unreachable(let url, let detail):
            return "cannot reach \(url): \(detail)"
        case .tls(let url, let detail):
            return "TLS with \(url) failed: \(detail)"
        case .timedOut(let function, let seconds):
            return "\(function): no answer within \(seconds) s"
        case .serverFailure(let function, let status):
            return "\(function): the remote failed with HTTP \(status)"
        case .answerLost(let function, let detail):
            return "\(function): the answer was lost (\(detail))"
        case .notProtocol(let function, let detail):
            return "\(function): the answer is not BILLmanager's protocol: \(detail)"
        case .redirected(let url, let location?):
            return "the remote redirected to \(location): set Url to it (it is \(url); redirects are not followed)"
        case .redirected(let url, nil):
            return "\(url) answers a redirect without saying where to: check Url"
        case .htmlPage(let url):
            return "\(url) answers an HTML page, not BILLmanager's API: check Url"
        case .authRefused(let message):
            return "the remote refused the credentials: \(message); check User and the password"
        case .refused(let function, let type, let object, let message, _):
            let on = object.map { " (\($0))" } ?? ""
            return "\(function) refused: \(message) [\(type)\(on)]"
        case .interrupted(let signal):
            return "interrupted by \(Self.name(signal)): no step was sent after it, and what was done is recorded"
        case .abandoned(let function, let signal):
            return "\(function): its answer was abandoned at a second \(Self.name(signal)), so the step is in doubt"
        case .incompleteListing(let function, let detail):
            return "\(function): the remote's listing is not whole (\(detail)); nothing was concluded from it"
        }
    }
}
