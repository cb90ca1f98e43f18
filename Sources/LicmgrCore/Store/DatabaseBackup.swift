import FoundationEssentials
import Glibc

/// `licmgr db backup`: a consistent copy of the database, taken while other runs go on.
public enum DatabaseBackup {
    /// What was copied.
    public struct Copy: Sendable, Equatable {
        public var database: String
        public var path: String
        public var bytes: Int
        public var schemaVersion: Int
    }

    /// Copies the database at `database` to `path` with `VACUUM INTO`: one read transaction,
    /// so the copy is the database as one moment left it, and in WAL mode a writer (cron's
    /// checkevent) is neither stopped by it nor seen half-way. The copy is built under a
    /// temporary name beside `path`, mode 0600, synced, and only then given its name, so `path`
    /// never holds half a backup; an existing `path` is replaced only when `replace` is set.
    /// `durable: false` for a scratch copy that dies with the command: it is not synced to disk.
    public static func copy(database: String, to path: String, replace: Bool, durable: Bool = true) throws -> Copy {
        guard FileManager.default.fileExists(atPath: database) else {
            throw StoreError.cannotOpen(path: database, reason: "no such file: there is nothing to back up")
        }
        if !replace, FileManager.default.fileExists(atPath: path) {
            throw UsageError("\(path) exists; give --force to replace it with the backup")
        }
        let source = try Schema.openExisting(database)
        let directory = Path.parent(of: path).isEmpty ? "." : Path.parent(of: path)
        let building = "\(path).new-\(UUID().uuidString)"
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(building + suffix) }
        }
        // Made here, mode 0600, before SQLite writes into it (VACUUM INTO takes an empty file).
        let fd = open(building, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.cannotOpen(
                path: path, reason: "cannot create it in \(directory): \(SQLiteDatabase.describe(errno))")
        }
        close(fd)
        let version: Int
        do {
            try source.run("VACUUM INTO ?", [.text(building)])
            let copy = try SQLiteDatabase(path: building, create: false)
            version = try Schema.userVersion(copy)
            // VACUUM INTO writes a rollback-journal database: a restored copy is put back in
            // WAL mode, as licmgr makes its databases, so that readers never block a run.
            try copy.execute("PRAGMA journal_mode = WAL")
            try copy.close()
        } catch let error as StoreError {
            throw error.at(path)
        }
        // SQLite does not sync what VACUUM INTO writes.
        if durable {
            let synced = open(building, O_RDONLY | O_CLOEXEC)
            guard synced >= 0, fsync(synced) == 0 else {
                let code = errno
                if synced >= 0 { close(synced) }
                throw StoreError.cannotOpen(path: path, reason: "cannot sync it: \(SQLiteDatabase.describe(code))")
            }
            close(synced)
        }
        if replace {
            guard rename(building, path) == 0 else {
                throw StoreError.cannotOpen(path: path, reason: SQLiteDatabase.describe(errno))
            }
        } else if link(building, path) != 0 {
            // Another backup took the name since it was looked at.
            if errno == EEXIST { throw UsageError("\(path) exists; give --force to replace it with the backup") }
            throw StoreError.cannotOpen(path: path, reason: SQLiteDatabase.describe(errno))
        }
        if durable { syncDirectory(of: path) }
        var info = stat()
        let bytes = stat(path, &info) == 0 ? Int(info.st_size) : 0
        return Copy(database: database, path: path, bytes: bytes, schemaVersion: version)
    }
}
