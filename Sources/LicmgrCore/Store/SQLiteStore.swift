import FoundationEssentials

/// The state in one SQLite file.
public final class SQLiteStore: StateStore {
    public let db: SQLiteDatabase

    /// `readOnly`: for a command that only reads, which then works for a user who may only
    /// read the database (see `Schema.open`).
    public init(path: String, readOnly: Bool = false) throws {
        db = try Schema.open(path, readOnly: readOnly)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.transaction(body)
    }

    public func revision() throws -> StoreRevision? {
        try db.revision()
    }

    // MARK: - Services

    public func service(_ id: Int) throws -> Service? {
        var found: Service?
        try forEachService(where: "s.id = ?", [.integer(id)]) { found = $0 }
        return found
    }

    public func services(includeClosed: Bool) throws -> [Service] {
        var services: [Service] = []
        try forEachService(includeClosed: includeClosed) { services.append($0) }
        return services
    }

    public func forEachService(includeClosed: Bool, _ body: (Service) throws -> Void) throws {
        try forEachService(where: includeClosed ? "1" : "s.status <> 'closed'", [], body)
    }

    /// Services with their addons from one statement: a service's rows arrive together, one
    /// per addon, and it is handed on when the next service's first row comes.
    private func forEachService(where filter: String, _ bindings: [SQLValue], _ body: (Service) throws -> Void)
        throws
    {
        var current: Service?
        var addons = AddonSets()
        try db.forEachRow(
            """
            SELECT s.id, s.name, s.ip, s.package, s.period, s.status, a.key, a.value
            FROM services s LEFT JOIN addons a ON a.service_id = s.id WHERE \(filter) ORDER BY s.id
            """, bindings
        ) { row in
            let id = row.int(0) ?? 0
            if var service = current, service.id != id {
                current = nil
                service.addons = addons.shared(service.addons)
                try body(service)
            }
            if current == nil {
                current = Service(
                    id: id, name: row.string(1) ?? "", ip: Self.ip(row.string(2)), package: row.int(3),
                    period: row.int(4), status: Service.Status(rawValue: row.string(5) ?? "") ?? .active)
            }
            if let key = row.string(6) { current?.addons[key] = row.string(7) ?? "" }
        }
        if var service = current {
            service.addons = addons.shared(service.addons)
            try body(service)
        }
    }

    public func insert(_ service: Service, at: String) throws {
        try db.run(
            "INSERT INTO services (id, name, ip, package, period, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(service.id), .text(service.name), .text(service.ip), SQLValue(service.package),
                SQLValue(service.period), .text(service.status.rawValue), .text(at), .text(at),
            ])
        try replaceAddons(of: service)
    }

    public func update(_ service: Service, at: String) throws {
        try db.run(
            "UPDATE services SET name = ?, ip = ?, package = ?, period = ?, status = ?, updated_at = ? WHERE id = ?",
            [
                .text(service.name), .text(service.ip), SQLValue(service.package), SQLValue(service.period),
                .text(service.status.rawValue), .text(at), .integer(service.id),
            ])
        try replaceAddons(of: service)
    }

    private func replaceAddons(of service: Service) throws {
        try db.run("DELETE FROM addons WHERE service_id = ?", [.integer(service.id)])
        for (key, value) in service.addons.sorted(by: { $0.key < $1.key }) {
            try db.run(
                "INSERT INTO addons (service_id, key, value) VALUES (?, ?, ?)",
                [.integer(service.id), .text(key), .text(value)])
        }
    }

    // MARK: - Licenses

    public func license(_ id: Int) throws -> License? {
        try db.rows(Self.selectLicenses + " WHERE id = ?", [.integer(id)], Self.license(from:)).first
    }

    public func licenses(serviceID: Int?) throws -> [License] {
        if let serviceID {
            return try db.rows(
                Self.selectLicenses + " WHERE service_id = ? ORDER BY id", [.integer(serviceID)], Self.license(from:))
        }
        return try db.rows(Self.selectLicenses + " WHERE service_id IS NULL ORDER BY id", [], Self.license(from:))
    }

    public func allLicenses() throws -> [License] {
        try db.rows(Self.selectLicenses + " ORDER BY id", [], Self.license(from:))
    }

    public func licenseCount() throws -> Int {
        try db.rows("SELECT count(*) FROM licenses") { $0.int(0) }.first?.flatMap { $0 } ?? 0
    }

    public func forEachLicense(_ body: (License) throws -> Void) throws {
        try db.forEachRow(Self.selectLicenses + " ORDER BY id") { try body(Self.license(from: $0)) }
    }

    public func forEachLicense(matching filter: LicenseFilter, _ body: (License) throws -> Void) throws {
        var conditions = ["1"]
        var bindings: [SQLValue] = []
        if filter.attached { conditions.append("service_id IS NOT NULL") }
        if let day = filter.expiringBy {
            // The date alone: a stored expiry that carries a time reads as its day.
            conditions.append("substr(expires, 1, 10) <= ?")
            bindings.append(.text(day.description))
        }
        if let statuses = filter.statuses {
            // A status no version knows reads as ordered (`license(from:)`).
            let known = License.Status.allCases.map { String($0.rawValue) }.joined(separator: ", ")
            let listed = statuses.map { String($0.rawValue) }.joined(separator: ", ")
            conditions.append(
                statuses.contains(.ordered)
                    ? "(status IN (\(listed)) OR status NOT IN (\(known)))" : "status IN (\(listed))")
        }
        try db.forEachRow(
            Self.selectLicenses + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY id", bindings
        ) { try body(Self.license(from: $0)) }
    }

    public func save(_ license: License, at: String) throws {
        try db.run(
            """
            INSERT INTO licenses (id, name, ip, pricelist, period, status, expires, created, key, remote_id,
                                  autoprolong, ip_changed, key_changed, service_id, addon, gone, seen_at, line,
                                  tariff_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, ip = excluded.ip, pricelist = excluded.pricelist,
                period = excluded.period, status = excluded.status, expires = excluded.expires,
                created = excluded.created, key = COALESCE(excluded.key, licenses.key),
                remote_id = COALESCE(excluded.remote_id, licenses.remote_id),
                autoprolong = COALESCE(excluded.autoprolong, licenses.autoprolong),
                ip_changed = COALESCE(excluded.ip_changed, licenses.ip_changed),
                key_changed = COALESCE(excluded.key_changed, licenses.key_changed),
                gone = excluded.gone, seen_at = excluded.seen_at, line = excluded.line,
                tariff_name = excluded.tariff_name
            """,
            [
                .integer(license.id), .text(license.name), .text(license.ip), .integer(license.pricelist),
                SQLValue(license.period), .integer(license.status.rawValue), SQLValue(license.expires?.description),
                SQLValue(license.created?.description), SQLValue(license.key), SQLValue(license.remoteID),
                SQLValue(license.autoprolong), SQLValue(license.ipChanged?.description),
                SQLValue(license.keyChanged?.description), SQLValue(license.serviceID), SQLValue(license.addon),
                .integer(license.gone ? 1 : 0), .text(at), .text(license.line.rawValue), SQLValue(license.tariffName),
            ])
    }

    public func attach(license: Int, to service: Int?, addon: String?) throws {
        try db.run(
            "UPDATE licenses SET service_id = ?, addon = ? WHERE id = ?",
            [SQLValue(service), SQLValue(addon), .integer(license)])
    }

    public func markGone(license: Int, at: String) throws {
        try db.run("UPDATE licenses SET gone = 1, seen_at = ? WHERE id = ?", [.text(at), .integer(license)])
    }

    /// The columns `license(from:)` reads, in its order.
    private static let selectLicenses = """
        SELECT id, name, ip, pricelist, line, period, status, expires, created, key, remote_id, autoprolong,
               ip_changed, key_changed, service_id, addon, gone, tariff_name
        FROM licenses
        """

    private static func license(from row: SQLCursor) -> License {
        License(
            id: row.int(0) ?? 0, name: row.string(1) ?? "", ip: ip(row.string(2)), pricelist: row.int(3) ?? 0,
            tariffName: row.string(17), line: ProductLine(rawValue: row.string(4) ?? "") ?? .soft, period: row.int(5),
            status: License.Status(rawValue: row.int(6) ?? 0) ?? .ordered, expires: row.day(7), created: row.day(8),
            key: row.string(9), remoteID: row.string(10), autoprolong: row.string(11), ipChanged: row.day(12),
            keyChanged: row.day(13), serviceID: row.int(14), addon: row.string(15), gone: row.int(16) == 1)
    }

    /// Older versions stored IPs as given; read back, they take the form new rows are written in.
    static func ip(_ text: String?) -> String {
        let text = text ?? ""
        return IPAddress.canonical(text) ?? text
    }

    // MARK: - Journal

    public func insert(_ operation: RemoteOperation) throws {
        try db.run(
            """
            INSERT INTO operations (key, kind, service_id, addon, license_id, params, state, result, command,
                                    created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(operation.key), .text(operation.kind.rawValue), SQLValue(operation.serviceID),
                SQLValue(operation.addon), SQLValue(operation.licenseID), .text(Self.encode(operation.params)),
                .text(operation.state.rawValue), SQLValue(operation.result), .text(operation.command),
                .text(operation.createdAt), .text(operation.createdAt),
            ])
    }

    public func finish(operation key: String, state: RemoteOperation.State, licenseID: Int?, result: String, at: String)
        throws
    {
        try db.run(
            "UPDATE operations SET state = ?, license_id = COALESCE(?, license_id), result = ?, updated_at = ? WHERE key = ?",
            [.text(state.rawValue), SQLValue(licenseID), .text(result), .text(at), .text(key)])
    }

    public func operations(state: RemoteOperation.State) throws -> [RemoteOperation] {
        try db.rows(
            Self.selectOperations + " WHERE state = ? ORDER BY created_at, rowid", [.text(state.rawValue)],
            Self.operation(from:))
    }

    public func forEachOperation(_ body: (RemoteOperation) throws -> Void) throws {
        try db.forEachRow(
            Self.selectOperations + """
                 ORDER BY created_at,
                    CASE state WHEN 'pending' THEN 0 WHEN 'failed' THEN 1 WHEN 'void' THEN 2 ELSE 3 END, rowid
                """
        ) { try body(Self.operation(from: $0)) }
    }

    /// The columns `operation(from:)` reads, in its order.
    private static let selectOperations = """
        SELECT key, kind, service_id, addon, license_id, params, state, result, command, created_at FROM operations
        """

    private static func operation(from row: SQLCursor) -> RemoteOperation {
        RemoteOperation(
            key: row.string(0) ?? "", kind: RemoteOperation.Kind(rawValue: row.string(1) ?? "") ?? .order,
            serviceID: row.int(2), addon: row.string(3), licenseID: row.int(4), params: decode(row.string(5) ?? "{}"),
            state: RemoteOperation.State(rawValue: row.string(6) ?? "") ?? .pending, result: row.string(7),
            command: row.string(8) ?? "", createdAt: row.string(9) ?? "")
    }

    public func spent(since timestamp: String) throws -> Int {
        try db.rows(
            """
            SELECT COALESCE(SUM(CAST(json_extract(params, '$.cost') AS INTEGER)), 0) FROM operations
            WHERE state IN ('pending', 'done') AND created_at >= ? AND json_extract(params, '$.cost') IS NOT NULL
            """, [.text(timestamp)]
        ) { $0.int(0) }.first?.flatMap { $0 } ?? 0
    }

    private static func encode(_ params: [String: String]) -> String { sortedJSON(params) }

    private static func decode(_ text: String) -> [String: String] {
        var params: [String: String] = [:]
        if case .object(let object)? = try? StrictJSON.parse(Array(text.utf8)[...]) {
            for (key, value) in object {
                guard case .string(let string) = value else { return [:] }
                params[key] = string
            }
        }
        // An order journaled by an older version may spell its IP otherwise than the listing it is settled against.
        if let ip = params["ip"] { params["ip"] = IPAddress.canonical(ip) ?? ip }
        return params
    }

    // MARK: - Workflows

    public func insert(_ workflow: Workflow) throws {
        try db.run(
            """
            INSERT INTO workflows (key, kind, service_id, addon, license_id, replaced_id, state, marks, created_at,
                                   updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(workflow.key), .text(workflow.kind.rawValue), SQLValue(workflow.serviceID),
                SQLValue(workflow.addon), .integer(workflow.licenseID), SQLValue(workflow.replacedID),
                .text(workflow.state.rawValue), .text(Self.encode(workflow.marks)), .text(workflow.createdAt),
                .text(workflow.createdAt),
            ])
    }

    public func update(_ workflow: Workflow, at: String) throws {
        try db.run(
            "UPDATE workflows SET state = ?, marks = ?, updated_at = ? WHERE key = ?",
            [.text(workflow.state.rawValue), .text(Self.encode(workflow.marks)), .text(at), .text(workflow.key)])
    }

    public func openWorkflows() throws -> [Workflow] {
        try db.rows(
            """
            SELECT key, kind, service_id, addon, license_id, replaced_id, marks, created_at
            FROM workflows WHERE state = 'open' ORDER BY created_at, rowid
            """
        ) { row in
            Workflow(
                key: row.string(0) ?? "", kind: Workflow.Kind(rawValue: row.string(1) ?? "") ?? .park,
                serviceID: row.int(2), addon: row.string(3), licenseID: row.int(4) ?? 0, replacedID: row.int(5),
                state: .open,
                marks: Set(
                    (row.string(6) ?? "").split(separator: ",").compactMap { Workflow.Mark(rawValue: String($0)) }),
                createdAt: row.string(7) ?? "")
        }
    }

    private static func encode(_ marks: Set<Workflow.Mark>) -> String {
        marks.map(\.rawValue).sorted().joined(separator: ",")
    }

    public func renewedUntil(license: Int) throws -> Day? {
        try db.rows("SELECT renewed_until FROM licenses WHERE id = ?", [.integer(license)]) { $0.day(0) }.first
            ?? nil
    }

    public func setRenewedUntil(_ day: Day, license: Int) throws {
        try db.run(
            "UPDATE licenses SET renewed_until = ? WHERE id = ?", [.text(day.description), .integer(license)])
    }

    // MARK: - History

    public func append(_ entry: HistoryEntry) throws {
        try db.run(
            "INSERT INTO history (at, command, service_id, license_id, action, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(entry.at), .text(entry.command), SQLValue(entry.serviceID), SQLValue(entry.licenseID),
                .text(entry.action), .text(entry.result), .text(entry.detail),
            ])
    }

    public func history(serviceID: Int?, licenseID: Int?) throws -> [HistoryEntry] {
        var entries: [HistoryEntry] = []
        try forEachHistoryEntry(serviceID: serviceID, licenseID: licenseID, since: nil, limit: nil) {
            entries.append($0)
        }
        return entries
    }

    public func forEachHistoryEntry(
        serviceID: Int?, licenseID: Int?, since: Day?, limit: Int?, _ body: (HistoryEntry) throws -> Void
    ) throws {
        var subjects: [String] = []
        var bindings: [SQLValue] = []
        if let serviceID {
            subjects.append("service_id = ?")
            bindings.append(.integer(serviceID))
        }
        if let licenseID {
            subjects.append("license_id = ?")
            bindings.append(.integer(licenseID))
        }
        var conditions = subjects.isEmpty ? [] : ["(" + subjects.joined(separator: " OR ") + ")"]
        if let since {
            // `at` is `YYYY-MM-DD HH:MM:SS` in UTC: a day's entries sort at or after the bare day.
            conditions.append("at >= ?")
            bindings.append(.text(since.description))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let columns = "id, at, command, service_id, license_id, action, result, detail"
        var sql = "SELECT \(columns) FROM history \(filter) ORDER BY id"
        if let limit {
            // The newest `limit` by walking ids backwards, then put back in order.
            sql = "SELECT \(columns) FROM (\(sql) DESC LIMIT ?) ORDER BY id"
            bindings.append(.integer(limit))
        }
        try db.forEachRow(sql, bindings) { row in
            try body(
                HistoryEntry(
                    id: row.int(0) ?? 0, at: row.string(1) ?? "", command: row.string(2) ?? "",
                    serviceID: row.int(3), licenseID: row.int(4), action: row.string(5) ?? "",
                    result: row.string(6) ?? "", detail: row.string(7) ?? ""))
        }
    }

    // MARK: - Runs and balance

    public func insert(_ run: RunRecord) throws {
        try db.run(
            "INSERT INTO runs (command, started_at, ended_at, exit_code, counts) VALUES (?, ?, ?, ?, ?)",
            [
                .text(run.command), .text(run.startedAt), .text(run.endedAt), .integer(run.exitCode),
                .text(Self.encode(counts: run.counts)),
            ])
    }

    public func lastRuns() throws -> [String: RunRecord] {
        let rows = try db.rows(
            Self.selectRuns + " WHERE id IN (SELECT MAX(id) FROM runs GROUP BY command)", [], Self.run(from:))
        return Dictionary(rows.map { ($0.command, $0) }, uniquingKeysWith: { _, last in last })
    }

    public func lastSuccessfulRun(of command: String) throws -> RunRecord? {
        try db.rows(
            Self.selectRuns + " WHERE command = ? AND exit_code = 0 ORDER BY id DESC LIMIT 1", [.text(command)],
            Self.run(from:)
        ).first
    }

    public func runTotals() throws -> [RunTotal] {
        try db.rows("SELECT command, exit_code, count(*) FROM runs GROUP BY command, exit_code ORDER BY 1, 2") {
            RunTotal(command: $0.string(0) ?? "", exitCode: $0.int(1) ?? 0, count: $0.int(2) ?? 0)
        }
    }

    public func stepTotals() throws -> [StepTotal] {
        try db.rows(
            "SELECT kind, state, count(*) FROM operations WHERE state <> 'pending' GROUP BY kind, state ORDER BY 1, 2"
        ) { row in
            guard let kind = RemoteOperation.Kind(rawValue: row.string(0) ?? ""),
                let state = RemoteOperation.State(rawValue: row.string(1) ?? "")
            else { return nil }
            return StepTotal(kind: kind, state: state, count: row.int(2) ?? 0)
        }.compactMap { $0 }
    }

    public func spentTotal() throws -> Int {
        try db.rows(
            """
            SELECT COALESCE(SUM(CAST(json_extract(params, '$.cost') AS INTEGER)), 0) FROM operations
            WHERE state = 'done' AND json_extract(params, '$.cost') IS NOT NULL
            """
        ) { $0.int(0) }.first?.flatMap { $0 } ?? 0
    }

    private static let selectRuns = "SELECT command, started_at, ended_at, exit_code, counts FROM runs"

    private static func run(from row: SQLCursor) -> RunRecord {
        var counts: [String: Int] = [:]
        if case .object(let object)? = try? StrictJSON.parse(Array((row.string(4) ?? "{}").utf8)[...]) {
            counts = object.compactMapValues { value in
                if case .number(let text) = value { Int(text) } else { nil }
            }
        }
        return RunRecord(
            command: row.string(0) ?? "", startedAt: row.string(1) ?? "", endedAt: row.string(2) ?? "",
            exitCode: row.int(3) ?? 0, counts: counts)
    }

    private static func encode(counts: [String: Int]) -> String { sortedJSON(counts) }

    private static func sortedJSON(_ object: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    public func repeatingErrors(command: String) throws -> [RepeatingError] {
        try db.rows(
            """
            SELECT condition, since, runs, printed_at, causes FROM repeating_errors WHERE command = ?
            ORDER BY condition
            """,
            [.text(command)]
        ) { row in
            RepeatingError.Condition(rawValue: row.string(0) ?? "").map {
                RepeatingError(
                    command: command, condition: $0,
                    causes: Set((row.string(4) ?? "").split(separator: ",").map(String.init)),
                    since: row.string(1) ?? "", runs: row.int(2) ?? 0, printedAt: row.string(3) ?? "")
            }
        }.compactMap { $0 }
    }

    public func save(_ error: RepeatingError) throws {
        try db.run(
            """
            INSERT INTO repeating_errors (command, condition, since, runs, printed_at, causes) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (command, condition) DO UPDATE SET since = excluded.since, runs = excluded.runs,
                printed_at = excluded.printed_at, causes = excluded.causes
            """,
            [
                .text(error.command), .text(error.condition.rawValue), .text(error.since), .integer(error.runs),
                .text(error.printedAt), .text(error.causes.sorted().joined(separator: ",")),
            ])
    }

    public func deleteRepeatingError(command: String, condition: RepeatingError.Condition) throws {
        try db.run(
            "DELETE FROM repeating_errors WHERE command = ? AND condition = ?",
            [.text(command), .text(condition.rawValue)])
    }

    public func balance() throws -> BalanceReading? {
        try db.rows("SELECT amount, currency, read_at FROM balance WHERE id = 1 AND read_at IS NOT NULL") { row in
            row.int(0).map {
                BalanceReading(balance: AccountBalance(amount: $0, currency: row.string(1)), at: row.string(2) ?? "")
            }
        }.first ?? nil
    }

    public func balanceAskedAt() throws -> String? {
        try db.rows("SELECT asked_at FROM balance WHERE id = 1") { $0.string(0) }.first ?? nil
    }

    public func saveBalance(_ reading: BalanceReading?, askedAt at: String) throws {
        if let reading {
            try db.run(
                """
                INSERT INTO balance (id, amount, currency, read_at, asked_at) VALUES (1, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET amount = excluded.amount, currency = excluded.currency,
                    read_at = excluded.read_at, asked_at = excluded.asked_at
                """,
                [
                    .integer(reading.balance.amount), SQLValue(reading.balance.currency), .text(reading.at),
                    .text(at),
                ])
        } else {
            try db.run(
                """
                INSERT INTO balance (id, asked_at) VALUES (1, ?)
                ON CONFLICT (id) DO UPDATE SET asked_at = excluded.asked_at
                """, [.text(at)])
        }
    }

    // MARK: - Tariffs

    public func catalogue(includeGone: Bool) throws -> Catalogue {
        var tariffs: [Int: Tariff] = [:]
        // One statement, a row per period, periods in order within their tariff.
        try db.forEachRow(
            """
            SELECT t.id, t.name, t.active, t.item_type, t.currency, p.period, p.type, p.length, p.cost
            FROM tariffs t LEFT JOIN tariff_periods p ON p.tariff_id = t.id
            WHERE t.gone = 0 OR ? ORDER BY t.id, p.period
            """, [.integer(includeGone ? 1 : 0)]
        ) { row in
            let id = row.int(0) ?? 0
            if tariffs[id] == nil {
                tariffs[id] = Tariff(
                    id: id, name: row.string(1) ?? "", active: row.int(2) == 1, itemType: row.string(3) ?? "",
                    currency: row.string(4) ?? "", periods: [])
            }
            if let period = row.int(5) {
                tariffs[id]?.periods.append(
                    Tariff.Period(
                        id: period, type: row.string(6) ?? "", length: row.int(7) ?? 0, cost: row.string(8) ?? ""))
            }
        }
        try db.forEachRow(
            "SELECT tariff_id, addon, name, minimum, maximum FROM tariff_addons ORDER BY tariff_id, addon"
        ) { row in
            guard let tariff = row.int(0), tariffs[tariff] != nil, let addon = row.int(1) else { return }
            tariffs[tariff]?.addons.append(
                Tariff.Addon(id: addon, name: row.string(2) ?? "", minimum: row.int(3) ?? 0, maximum: row.int(4)))
        }
        return Catalogue(tariffs: tariffs)
    }

    public func saveCatalogue(_ tariffs: [Tariff], at: String) throws {
        try db.run("UPDATE tariffs SET gone = 1")
        for tariff in tariffs {
            try db.run(
                """
                INSERT INTO tariffs (id, name, active, item_type, currency, gone, imported_at) VALUES (?, ?, ?, ?, ?, 0, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active,
                    item_type = excluded.item_type, currency = excluded.currency, gone = 0, imported_at = excluded.imported_at
                """,
                [
                    .integer(tariff.id), .text(tariff.name), .integer(tariff.active ? 1 : 0), .text(tariff.itemType),
                    .text(tariff.currency), .text(at),
                ])
            try db.run("DELETE FROM tariff_periods WHERE tariff_id = ?", [.integer(tariff.id)])
            for period in tariff.periods {
                try db.run(
                    "INSERT OR REPLACE INTO tariff_periods (tariff_id, period, type, length, cost) VALUES (?, ?, ?, ?, ?)",
                    [
                        .integer(tariff.id), .integer(period.id), .text(period.type), .integer(period.length),
                        .text(period.cost),
                    ])
            }
            try db.run("DELETE FROM tariff_addons WHERE tariff_id = ?", [.integer(tariff.id)])
            for addon in tariff.addons {
                try db.run(
                    "INSERT OR REPLACE INTO tariff_addons (tariff_id, addon, name, minimum, maximum) VALUES (?, ?, ?, ?, ?)",
                    [
                        .integer(tariff.id), .integer(addon.id), .text(addon.name), .integer(addon.minimum),
                        addon.maximum.map { .integer($0) } ?? .null,
                    ])
            }
        }
    }

    public func remoteNotes() throws -> [String: String] {
        var notes: [String: String] = [:]
        try db.forEachRow("SELECT topic, note FROM remote_notes") { row in
            if let topic = row.string(0) { notes[topic] = row.string(1) ?? "" }
        }
        return notes
    }

    public func setRemoteNote(_ note: String?, topic: String, at: String) throws {
        guard let note else {
            try db.run("DELETE FROM remote_notes WHERE topic = ?", [.text(topic)])
            return
        }
        try db.run(
            """
            INSERT INTO remote_notes (topic, note, noted_at) VALUES (?, ?, ?)
            ON CONFLICT (topic) DO UPDATE SET note = excluded.note, noted_at = excluded.noted_at
            """, [.text(topic), .text(note), .text(at)])
    }
}
