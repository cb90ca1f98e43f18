import CSQLite
import FoundationEssentials
import Glibc

/// The database schema as an ordered list of migrations; `PRAGMA user_version` records how
/// many have run. A migration is never edited once released: add a new one.
enum Schema {
    static let migrations: [String] = [
        """
        CREATE TABLE services (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            ip TEXT NOT NULL,
            package INTEGER,
            period INTEGER,
            status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE addons (
            service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (service_id, key)
        );
        CREATE TABLE licenses (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            ip TEXT NOT NULL,
            pricelist INTEGER NOT NULL,
            period INTEGER,
            status INTEGER NOT NULL,
            expires TEXT,
            created TEXT,
            key TEXT,
            remote_id TEXT,
            autoprolong TEXT,
            ip_changed TEXT,
            key_changed TEXT,
            service_id INTEGER REFERENCES services(id),
            addon TEXT,
            gone INTEGER NOT NULL DEFAULT 0,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX licenses_service ON licenses(service_id, addon);
        CREATE TABLE operations (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            service_id INTEGER,
            addon TEXT,
            license_id INTEGER,
            params TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'void')),
            result TEXT,
            command TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX operations_state ON operations(state);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            command TEXT NOT NULL,
            service_id INTEGER,
            license_id INTEGER,
            action TEXT NOT NULL,
            result TEXT NOT NULL,
            detail TEXT NOT NULL
        );
        CREATE INDEX history_service ON history(service_id);
        CREATE INDEX history_license ON history(license_id);
        CREATE TABLE tariffs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            active INTEGER NOT NULL,
            item_type TEXT NOT NULL,
            currency TEXT NOT NULL,
            gone INTEGER NOT NULL DEFAULT 0,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE tariff_periods (
            tariff_id INTEGER NOT NULL REFERENCES tariffs(id) ON DELETE CASCADE,
            period INTEGER NOT NULL,
            type TEXT NOT NULL,
            length INTEGER NOT NULL,
            cost TEXT NOT NULL,
            PRIMARY KEY (tariff_id, period)
        );
        """,
        // 2: licenses of third-party products and platforms live under their own functions.
        "ALTER TABLE licenses ADD COLUMN line TEXT NOT NULL DEFAULT 'soft';",
        // 3: several-step changes as resumable units, and licmgr's own record of each renewal's term.
        """
        CREATE TABLE workflows (
            key TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            service_id INTEGER,
            addon TEXT,
            license_id INTEGER NOT NULL,
            replaced_id INTEGER,
            state TEXT NOT NULL CHECK (state IN ('open', 'done', 'rolled_back')),
            marks TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX workflows_state ON workflows(state);
        ALTER TABLE licenses ADD COLUMN renewed_until TEXT;
        """,
        // 4: what each run that reached for the remote ended with, and the account balance as last read.
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT NOT NULL,
            exit_code INTEGER NOT NULL,
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX runs_command ON runs(command, exit_code, id);
        CREATE TABLE balance (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            amount INTEGER,
            currency TEXT,
            read_at TEXT,
            asked_at TEXT NOT NULL
        );
        """,
        // 5: errors a cron command meets run after run, so that it prints them at most hourly.
        """
        CREATE TABLE repeating_errors (
            command TEXT NOT NULL,
            condition TEXT NOT NULL,
            since TEXT NOT NULL,
            runs INTEGER NOT NULL,
            printed_at TEXT NOT NULL,
            PRIMARY KEY (command, condition)
        );
        """,
        // 6: money in ten-thousandths, as the remote writes it ("490.0000"), no longer hundredths:
        // the last balance read and the cost each journaled step was recorded with.
        """
        UPDATE balance SET amount = amount * 100 WHERE amount IS NOT NULL;
        UPDATE operations
        SET params = json_set(params, '$.cost', CAST(CAST(json_extract(params, '$.cost') AS INTEGER) * 100 AS TEXT))
        WHERE json_extract(params, '$.cost') IS NOT NULL;
        """,
        // 7: the tariff's name as the remote's list shows it, so that a row naming it needs no view.
        "ALTER TABLE licenses ADD COLUMN tariff_name TEXT;",
        // 8: the counted parts (nodes) each tariff's orders carry, and what was said of the
        // remote's odd ways, so that cron hears each once until it changes.
        """
        CREATE TABLE tariff_addons (
            tariff_id INTEGER NOT NULL REFERENCES tariffs(id) ON DELETE CASCADE,
            addon INTEGER NOT NULL,
            name TEXT NOT NULL,
            minimum INTEGER NOT NULL,
            maximum INTEGER,
            PRIMARY KEY (tariff_id, addon)
        );
        CREATE TABLE remote_notes (
            topic TEXT PRIMARY KEY,
            note TEXT NOT NULL,
            noted_at TEXT NOT NULL
        );
        """,
        // 9: the causes a repeating error met (no connection, TLS...), so that a new one is news.
        "ALTER TABLE repeating_errors ADD COLUMN causes TEXT NOT NULL DEFAULT '';",
    ]

    static var version: Int { migrations.count }

    /// Opens licmgr's database at `path`, creating it if there is none, and brings it up to
    /// `version`. A file already at `path` must be licmgr's: an empty file, another program's
    /// database or one that is not SQLite at all is an error and is left untouched.
    /// `readOnly` opens a database already at `version` for reading alone, so that a user who
    /// may only read it can; one that is missing or older is opened as without it.
    static func open(_ path: String, readOnly: Bool = false) throws -> SQLiteDatabase {
        do {
            if readOnly, FileManager.default.fileExists(atPath: path) {
                let db = try SQLiteDatabase(path: path, create: false, readOnly: true)
                if try check(db) == version { return db }
            }
            try SQLiteDatabase.createDirectory(for: path)
            if !FileManager.default.fileExists(atPath: path) { try create(path) }
            let db = try SQLiteDatabase(path: path, create: false)
            _ = try check(db)
            try migrate(db)
            return db
        } catch StoreError.sqlite(_, SQLITE_NOTADB, _) {
            throw StoreError.notLicmgr(path: path, what: "not an SQLite file")
        }
    }

    /// Opens licmgr's database at `path`, read-only, whatever its schema version (older ones
    /// unmigrated): for a copy of it as it is.
    static func openExisting(_ path: String) throws -> SQLiteDatabase {
        do {
            let db = try SQLiteDatabase(path: path, create: false, readOnly: true)
            _ = try check(db)
            return db
        } catch StoreError.sqlite(_, SQLITE_NOTADB, _) {
            throw StoreError.notLicmgr(path: path, what: "not an SQLite file")
        }
    }

    /// The schema version of a database licmgr made, or the error that says what the file is
    /// instead. licmgr only ever gives the path to a migrated file (see `create`).
    private static func check(_ db: SQLiteDatabase) throws -> Int {
        let current = try userVersion(db)
        if current == 0 {
            var info = stat()
            let empty = stat(db.path, &info) == 0 && info.st_size == 0
            throw StoreError.notLicmgr(
                path: db.path, what: empty ? "the file is empty" : "an SQLite database without licmgr's tables")
        }
        if current > version { throw StoreError.tooNew(path: db.path, version: current, supported: version) }
        return current
    }

    /// Brings the database up to `version` in one transaction. Runs started together on an
    /// old database all get here: the version read again under the write lock tells each
    /// whether another has already migrated it.
    static func migrate(_ db: SQLiteDatabase) throws {
        if try userVersion(db) == version { return }
        try db.transaction {
            let current = try userVersion(db)
            if current > version {
                throw StoreError.tooNew(path: db.path, version: current, supported: version)
            }
            for step in current..<version {
                try db.execute(migrations[step])
            }
            try db.execute("PRAGMA user_version = \(version)")
        }
    }

    static func userVersion(_ db: SQLiteDatabase) throws -> Int {
        try db.query("PRAGMA user_version").first?.int("user_version") ?? 0
    }

    /// Builds a new database under a temporary name and links it to `path` only once its
    /// schema is written, so `path` never names a half-made database: an empty file found
    /// there is never one that another run is still setting up. When several runs race,
    /// the first link wins and the others use its file. Errors name `path`, never the
    /// temporary name, which nobody could find afterwards.
    private static func create(_ path: String) throws {
        let building = "\(path).new-\(UUID().uuidString)"
        defer {
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(building + suffix) }
        }
        let directory = Path.parent(of: path).isEmpty ? "." : Path.parent(of: path)
        // Made here, not by SQLite, so that a directory that may not be written is named with
        // the system's reason; never with a wider mode than 0600.
        let fd = Glibc.open(building, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.cannotOpen(
                path: path, reason: "cannot create it in \(directory): \(SQLiteDatabase.describe(errno))")
        }
        Glibc.close(fd)
        do {
            let db = try SQLiteDatabase(path: building)
            try migrate(db)
            // Switched last, while no other connection can have the file open: the switch then
            // meets no lock, and the schema lies wholly in the main file, none of it in a WAL.
            try db.execute("PRAGMA journal_mode = WAL")
            try db.close()
        } catch let error as StoreError {
            throw error.at(path)
        }
        if link(building, path) != 0, errno != EEXIST {
            throw StoreError.cannotOpen(
                path: path, reason: "cannot create it in \(directory): \(SQLiteDatabase.describe(errno))")
        }
        syncDirectory(of: path)
    }
}

extension StoreError {
    /// The same error said of `path`: what went wrong with a temporary file is said of the
    /// file it stands for.
    func at(_ path: String) -> StoreError {
        switch self {
        case .cannotOpen(_, let reason): return .cannotOpen(path: path, reason: reason)
        case .sqlite(_, let code, let message): return .sqlite(path: path, code: code, message: message)
        case .tooNew(_, let version, let supported): return .tooNew(path: path, version: version, supported: supported)
        case .notLicmgr(_, let what): return .notLicmgr(path: path, what: what)
        }
    }
}

/// Makes the new name of `path` durable: SQLite syncs the file's contents but not its
/// directory, and a crash must not take the first command's writes away with the name.
func syncDirectory(of path: String) {
    let parent = Path.parent(of: path)
    let directory = open(parent.isEmpty ? "." : parent, O_RDONLY | O_DIRECTORY)
    guard directory >= 0 else { return }
    fsync(directory)
    close(directory)
}
