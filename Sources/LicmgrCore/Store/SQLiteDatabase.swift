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
    /// is set; ":memory:" for tests. `readOnly` opens it for reading alone, as a user who may
    /// only read it can.
    public init(path: String, create: Bool = true, readOnly: Bool = false) throws {
        self.path = path
        if path != ":memory:", create, !readOnly {
            try Self.createDirectory(for: path)
            // Created before SQLite sees it so that it never exists with a wider mode.
            if !FileManager.default.fileExists(atPath: path) {
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if fd >= 0 { Glibc.close(fd) }
            }
        }
        // One thread at a time, as the statement cache needs anyway: SQLite's own locking of
        // every call would cost a mutex round trip per column read.
        let flags =
            SQLITE_OPEN_NOMUTEX
            | (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let reason = handle.map { Self.reason(String(cString: sqlite3_errmsg($0)), sqlite3_system_errno($0)) }
            sqlite3_close(handle)
            self.handle = nil
            throw StoreError.cannotOpen(path: path, reason: reason ?? "out of memory")
        }
        sqlite3_busy_timeout(handle, 10_000)
        try execute("PRAGMA foreign_keys = ON")
        if path != ":memory:" {
            try execute("PRAGMA synchronous = FULL")
        }
        if path != ":memory:", !readOnly {
            // The WAL and its index outlive the last connection (the WAL emptied), so that a
            // user who may only read the database, in a directory it may not write, can still
            // open it: SQLite reads a WAL database read-only only when both files exist.
            var persist: Int32 = 1
            sqlite3_file_control(handle, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            try execute("PRAGMA journal_size_limit = 0")
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

    /// Creates the database's directory, private to its owner, if it does not exist yet, and
    /// those above it as `mkdir -p` would.
    public static func createDirectory(for path: String) throws {
        let directory = Path.parent(of: path)
        guard !directory.isEmpty else { return }
        if let (missing, code) = makeDirectory(directory) {
            throw StoreError.cannotOpen(path: path, reason: "cannot create directory \(missing): \(describe(code))")
        }
    }

    /// Makes `directory` and any missing parent, mode 0700; the one that could not be made and
    /// why, or nil when it is there (already, or now). A file in its place is left for the
    /// database's own open to name.
    private static func makeDirectory(_ directory: String) -> (String, Int32)? {
        var info = stat()
        if stat(directory, &info) == 0 { return nil }
        let parent = Path.parent(of: directory)
        if !parent.isEmpty, parent != directory, let failed = makeDirectory(parent) { return failed }
        if mkdir(directory, 0o700) != 0, errno != EEXIST { return (directory, errno) }
        return nil
    }

    /// Why a database that is not there yet could not be made at `path`, or one that is there
    /// could not be written, for `config check` to say before a run finds out: the file and
    /// its directory (where SQLite keeps the WAL and licmgr its lock) must both be writable,
    /// or else the nearest directory that exists must let the rest be made. Nil when all is well.
    public static func writeProblem(at path: String) -> StoreError? {
        let directory = Path.parent(of: path).isEmpty ? "." : Path.parent(of: path)
        var info = stat()
        if stat(path, &info) == 0 {
            if access(path, R_OK | W_OK) != 0 {
                return .cannotOpen(path: path, reason: "cannot write it: \(describe(errno))")
            }
            if access(directory, W_OK | X_OK) != 0 {
                return .cannotOpen(path: path, reason: "cannot write in its directory \(directory): \(describe(errno))")
            }
            return nil
        }
        guard errno == ENOENT || errno == ENOTDIR else { return .cannotOpen(path: path, reason: describe(errno)) }
        // The nearest directory that exists must take the first one missing below it, or the file.
        var missing = path
        var existing = directory
        while stat(existing, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR else {
                return .cannotOpen(path: path, reason: "\(existing): \(describe(errno))")
            }
            let parent = Path.parent(of: existing)
            guard parent != existing else { return .cannotOpen(path: path, reason: "\(existing): \(describe(ENOENT))") }
            missing = existing
            existing = parent.isEmpty ? "." : parent
        }
        let what = missing == path ? "cannot create it in \(existing)" : "cannot create directory \(missing)"
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            return .cannotOpen(path: path, reason: "\(what): \(describe(ENOTDIR))")
        }
        if access(existing, W_OK | X_OK) != 0 { return .cannotOpen(path: path, reason: "\(what): \(describe(errno))") }
        return nil
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// SQLite's message, and the system's reason when the failure was the system's: "unable
    /// to open database file" alone does not say that the directory may not be written.
    static func reason(_ message: String, _ code: Int32) -> String {
        code == 0 ? message : "\(message): \(describe(code))"
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

    /// Where the database stands, or nil inside a transaction, whose rollback would undo
    /// what is read in it without a count to show. Two equal revisions mean nothing was
    /// written in between: by this connection (rows it wrote, counted even when rolled back)
    /// or by another (SQLite's `data_version`, which moves with their commits).
    public func revision() throws -> StoreRevision? {
        guard sqlite3_get_autocommit(handle) != 0 else { return nil }
        let version = try rows("PRAGMA data_version") { $0.int(0) }.first ?? nil
        return StoreRevision(written: Int(sqlite3_total_changes64(handle)), committedElsewhere: version ?? 0)
    }

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
        let code = sqlite3_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        // The system's errno means something only after a failure of the system's; a database
        // SQLite opened read-only because this user may not write it says so only through access(2).
        var system =
            [SQLITE_CANTOPEN, SQLITE_IOERR, SQLITE_FULL].contains(code & 0xff) ? sqlite3_system_errno(handle) : 0
        if code & 0xff == SQLITE_READONLY, access(path, W_OK) != 0 { system = errno }
        return .sqlite(path: path, code: code, message: Self.reason(message, system))
    }
}
