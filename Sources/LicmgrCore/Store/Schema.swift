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
    ]

    static var version: Int { migrations.count }

    /// Brings the database up to `version`, each step in its own transaction.
    static func migrate(_ db: SQLiteDatabase) throws {
        let current = try db.query("PRAGMA user_version").first?.int("user_version") ?? 0
        if current > version {
            throw StoreError.tooNew(path: db.path, version: current, supported: version)
        }
        for step in current..<version {
            try db.transaction {
                try db.execute(migrations[step])
                try db.execute("PRAGMA user_version = \(step + 1)")
            }
        }
    }
}
