public enum LockError: Error, Equatable, Sendable, CustomStringConvertible {
    case held(path: String, pid: Int?)
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let path, let pid):
            let holder = pid.map { "process \($0)" } ?? "another licmgr"
            return "\(holder) holds the lock \(path); try again when it ends"
        case .cannotCreate(let path, let reason):
            return "cannot create the lock \(path): \(reason)"
        }
    }
}
