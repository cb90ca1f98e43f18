import CSQLite
import FoundationEssentials
import Glibc

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

/// One row of a result, by column name: for statements run now and then (pragmas, checks).
/// The store's queries read columns by index through `SQLCursor` instead.
public struct SQLRow: Sendable {
    /// Shared by every row of one result.
    let columns: [String]
    let values: [SQLValue]

    public func int(_ column: String) -> Int? { value(column)?.int }
    public func string(_ column: String) -> String? { value(column)?.string }

    private func value(_ column: String) -> SQLValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }
}

/// The row a statement is on, read by column index; valid only inside the closure it is
/// handed to, while the statement stays on that row.
public struct SQLCursor {
    fileprivate let statement: OpaquePointer

    public func int(_ column: Int32) -> Int? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(statement, column))
    }

    public func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        // The length SQLite already knows spares a scan for the terminator.
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    public func day(_ column: Int32) -> Day? {
        guard let text = sqlite3_column_text(statement, column) else { return nil }
        return Day(utf8: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, column))))
    }

    fileprivate func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(Int(sqlite3_column_int64(statement, column)))
        default: return .text(string(column) ?? "")
        }
    }
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
///
/// Statements are prepared once per connection and kept, keyed by their SQL text, until the
/// connection closes: SQL given here binds its values rather than spelling them, or each
/// distinct text would be kept.
public final class SQLiteDatabase {
    /// The SQLite library this process runs with, as `--version` reports it.
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    public let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

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
        // One thread at a time, as the statement cache needs anyway: SQLite's own locking of
        // every call would cost a mutex round trip per column read.
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0)
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
        finalizeStatements()
        let status = sqlite3_close(handle)
        guard status == SQLITE_OK else { throw lastError() }
        handle = nil
    }

    deinit {
        finalizeStatements()
        sqlite3_close_v2(handle)
    }

    private func finalizeStatements() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
    }

    /// Creates the database's directory, private to its owner, if it does not exist yet.
    public static func createDirectory(for path: String) throws {
        let directory = Path.parent(of: path)
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

    /// Runs one statement and returns its rows, each read by column name.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLValue] = []) throws -> [SQLRow] {
        var columns: [String]?
        var rows: [SQLRow] = []
        try forEachRow(sql, bindings) { row in
            let names =
                columns
                ?? (0..<sqlite3_column_count(row.statement)).map {
                    String(cString: sqlite3_column_name(row.statement, $0))
                }
            columns = names
            rows.append(SQLRow(columns: names, values: names.indices.map { row.value(Int32($0)) }))
        }
        return rows
    }

    /// Runs one statement that returns no rows worth reading.
    public func run(_ sql: String, _ bindings: [SQLValue] = []) throws {
        try forEachRow(sql, bindings) { _ in }
    }

    /// Runs one statement and decodes each of its rows.
    public func rows<T>(_ sql: String, _ bindings: [SQLValue] = [], _ decode: (SQLCursor) throws -> T) throws -> [T] {
        var rows: [T] = []
        try forEachRow(sql, bindings) { rows.append(try decode($0)) }
        return rows
    }

    /// Runs one statement and hands each row to `body` as it is read, so that a caller that
    /// needs one row at a time never holds the whole result.
    public func forEachRow(_ sql: String, _ bindings: [SQLValue] = [], _ body: (SQLCursor) throws -> Void) throws {
        let (statement, kept) = try prepared(sql)
        defer {
            if kept {
                // Ready for the next call: holding no read snapshot or lock in between, and no
                // value of this call.
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            } else {
                sqlite3_finalize(statement)
            }
        }
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
        let cursor = SQLCursor(statement: statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw lastError() }
            try body(cursor)
        }
    }

    /// The kept statement for `sql`, or one used once when the kept one is still stepping, as
    /// when a row's reader runs the same query again.
    private func prepared(_ sql: String) throws -> (statement: OpaquePointer, kept: Bool) {
        let known = statements[sql]
        if let known, sqlite3_stmt_busy(known) == 0 { return (known, true) }
        var statement: OpaquePointer?
        let flags = known == nil ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        guard sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil) == SQLITE_OK, let statement else {
            throw lastError()
        }
        if known == nil { statements[sql] = statement }
        return (statement, known == nil)
    }

    public var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    /// Runs `body` in one transaction: all of its writes land, or none do.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try run("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            try? run("ROLLBACK")
            throw error
        }
    }

    private func lastError() -> StoreError {
        .sqlite(path: path, code: sqlite3_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }
}
