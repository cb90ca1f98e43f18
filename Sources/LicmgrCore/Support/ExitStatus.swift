/// The process exit codes, from sysexits(3). This is the one place an error becomes a code.
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// A batch finished with some items failed for good.
    case partialFailure = 1
    case usage = 64
    /// Bad input: IP, JSON, unknown id, unresolvable addon.
    case dataError = 65
    /// An input file named on the command line is missing or unreadable.
    case noInput = 66
    /// The remote is unreachable or refused TLS.
    case unavailable = 69
    /// An impossible state: a bug in licmgr.
    case software = 70
    /// The database cannot be opened or written, or the trace file opened.
    case ioError = 74
    /// Try again: lock held, timeout, 5xx, lost answer. The journal settles it.
    case temporary = 75
    /// The remote answered outside its protocol.
    case `protocol` = 76
    /// Credentials refused, or a password file others may read.
    case noPermission = 77
    case config = 78

    public static func of(_ error: any Error) -> ExitStatus {
        switch error {
        case let error as RemoteError:
            switch error {
            case .unreachable, .tls: return .unavailable
            case .timedOut, .serverFailure, .answerLost, .incompleteListing, .interrupted, .abandoned:
                return .temporary
            case .notProtocol: return .protocol
            // The Url is wrong, not the remote down: the config is what needs a person.
            case .redirected, .htmlPage: return .config
            case .authRefused: return .noPermission
            case .refused: return .partialFailure
            }
        case let error as ConfigError:
            if case .insecure = error { return .noPermission }
            return .config
        case let error as InputError:
            if case .unreadableFile = error { return .noInput }
            return .dataError
        case is UsageError: return .usage
        case let error as LockError:
            if case .held = error { return .temporary }
            return .ioError
        case is StoreError, is TraceFileError: return .ioError
        default: return .software
        }
    }
}
