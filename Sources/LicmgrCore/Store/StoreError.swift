public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case sqlite(path: String, code: Int32, message: String)
    case tooNew(path: String, version: Int, supported: Int)
    /// The file at the path was not made by licmgr; `what` says what it is instead.
    case notLicmgr(path: String, what: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "database \(path): \(reason)"
        case .sqlite(let path, let code, let message):
            return "database \(path): \(message) (SQLite error \(code))"
        case .tooNew(let path, let version, let supported):
            return
                "database \(path): schema version \(version) is newer than this licmgr understands (\(supported)); upgrade licmgr"
        case .notLicmgr(let path, let what):
            return "database \(path): not a licmgr database (\(what)); move it away or set Database to another path"
        }
    }
}
