import CSQLite
import Foundation

/// A value bound to or read from an SQLite statement.
public enum SQLValue: Equatable, Sendable {
    case null
    case integer(Int)
    case text(String)

    var int: Int? { if case .integer(let v) = self { return v } else { return nil } }
    var string: String? {
        switch self {
        case .text(let v): return v
        case .integer(let v): return String(v)
        case .null: return nil
        }
    }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    init(_ value: Int?) { self = value.map { .integer($0) } ?? .null }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
}

/// One row of a result, by column name.
public struct SQLRow: Sendable {
    var values: [String: SQLValue]

    public func int(_ column: String) -> Int? { values[column]?.int }
    public func string(_ column: String) -> String? { values[column]?.string }
}

public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case sqlite(path: String, code: Int32, message: String)
    case tooNew(path: String, version: Int, supported: Int)
    /// The file at the path was not made by licmgr; `what` says what it is instead.
    case notLicmgr(path: String, what: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "database \(path): cannot open: \(reason)"
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

/// A thin wrapper over one SQLite connection, in the manner of SwiftPM's `Basics/SQLite`.
/// Not shared between threads: each command owns its own.
public final class SQLiteDatabase {
    public let path: String
    private var handle: OpaquePointer?

    /// Opens the file at `path`, creating it with mode 0600 if it does not exist and `create`
    /// is set; ":memory:" for tests.
    public init(path: String, create: Bool = true) throws {
        self.path = path
        if path != ":memory:", create {
            try Self.createDirectory(for: path)
            // Created before SQLite sees it so that it never exists with a wider mode.
            if !FileManager.default.fileExists(atPath: path) {
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if fd >= 0 { Glibc.close(fd) }
            }
        }
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0)
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, handle != nil else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(handle)
            handle = nil
            throw StoreError.cannotOpen(path: path, reason: reason)
        }
        sqlite3_busy_timeout(handle, 10_000)
        try execute("PRAGMA foreign_keys = ON")
        if path != ":memory:" {
            try execute("PRAGMA synchronous = FULL")
        }
    }

    /// Closes the connection now rather than when the last reference goes, so that the file
    /// is complete on disk before it is given its real name.
    func close() throws {
        let status = sqlite3_close(handle)
        guard status == SQLITE_OK else { throw lastError() }
        handle = nil
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Creates the database's directory, private to its owner, if it does not exist yet.
    public static func createDirectory(for path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create directory \(directory)")
        }
    }

    /// Runs one or more statements that take no parameters.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw StoreError.sqlite(path: path, code: status, message: text)
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws -> [SQLRow] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { throw lastError() }
        defer { sqlite3_finalize(statement) }
        for (index, value) in bindings.enumerated() {
            let position = Int32(index + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, position)
            case .integer(let v): status = sqlite3_bind_int64(statement, position, Int64(v))
            case .text(let v): status = sqlite3_bind_text(statement, position, v, -1, licmgr_sqlite_transient)
            }
            guard status == SQLITE_OK else { throw lastError() }
        }
        var rows: [SQLRow] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw lastError() }
            var values: [String: SQLValue] = [:]
            for column in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, column))
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: values[name] = .null
                case SQLITE_INTEGER: values[name] = .integer(Int(sqlite3_column_int64(statement, column)))
                default: values[name] = .text(String(cString: sqlite3_column_text(statement, column)))
                }
            }
            rows.append(SQLRow(values: values))
        }
        return rows
    }

    public var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    /// Runs `body` in one transaction: all of its writes land, or none do.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func lastError() -> StoreError {
        .sqlite(path: path, code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }
}
