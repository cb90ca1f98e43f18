import Foundation

/// The state in one SQLite file.
public final class SQLiteStore: StateStore {
    public let db: SQLiteDatabase

    public init(path: String) throws {
        db = try Schema.open(path)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.transaction(body)
    }

    // MARK: - Services

    public func service(_ id: Int) throws -> Service? {
        try db.query("SELECT * FROM services WHERE id = ?", [.integer(id)]).first.map(service(from:))
    }

    public func services(includeClosed: Bool) throws -> [Service] {
        let filter = includeClosed ? "" : "WHERE status <> 'closed'"
        return try db.query("SELECT * FROM services \(filter) ORDER BY id").map(service(from:))
    }

    public func insert(_ service: Service, at: String) throws {
        try db.query(
            "INSERT INTO services (id, name, ip, package, period, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .integer(service.id), .text(service.name), .text(service.ip), SQLValue(service.package),
                SQLValue(service.period), .text(service.status.rawValue), .text(at), .text(at),
            ])
        try replaceAddons(of: service)
    }

    public func update(_ service: Service, at: String) throws {
        try db.query(
            "UPDATE services SET name = ?, ip = ?, package = ?, period = ?, status = ?, updated_at = ? WHERE id = ?",
            [
                .text(service.name), .text(service.ip), SQLValue(service.package), SQLValue(service.period),
                .text(service.status.rawValue), .text(at), .integer(service.id),
            ])
        try replaceAddons(of: service)
    }

    private func replaceAddons(of service: Service) throws {
        try db.query("DELETE FROM addons WHERE service_id = ?", [.integer(service.id)])
        for (key, value) in service.addons.sorted(by: { $0.key < $1.key }) {
            try db.query(
                "INSERT INTO addons (service_id, key, value) VALUES (?, ?, ?)",
                [.integer(service.id), .text(key), .text(value)])
        }
    }

    private func service(from row: SQLRow) throws -> Service {
        let id = row.int("id") ?? 0
        var addons: [String: String] = [:]
        for addon in try db.query("SELECT key, value FROM addons WHERE service_id = ?", [.integer(id)]) {
            addons[addon.string("key") ?? ""] = addon.string("value") ?? ""
        }
        return Service(
            id: id, name: row.string("name") ?? "", ip: Self.ip(row), package: row.int("package"),
            period: row.int("period"), addons: addons,
            status: Service.Status(rawValue: row.string("status") ?? "") ?? .active)
    }

    // MARK: - Licenses

    public func license(_ id: Int) throws -> License? {
        try db.query("SELECT * FROM licenses WHERE id = ?", [.integer(id)]).first.map(license(from:))
    }

    public func licenses(serviceID: Int?) throws -> [License] {
        if let serviceID {
            return try db.query("SELECT * FROM licenses WHERE service_id = ? ORDER BY id", [.integer(serviceID)])
                .map(license(from:))
        }
        return try db.query("SELECT * FROM licenses WHERE service_id IS NULL ORDER BY id").map(license(from:))
    }

    public func allLicenses() throws -> [License] {
        try db.query("SELECT * FROM licenses ORDER BY id").map(license(from:))
    }

    public func save(_ license: License, at: String) throws {
        try db.query(
            """
            INSERT INTO licenses (id, name, ip, pricelist, period, status, expires, created, key, remote_id,
                                  autoprolong, ip_changed, key_changed, service_id, addon, gone, seen_at, line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                name = excluded.name, ip = excluded.ip, pricelist = excluded.pricelist,
                period = excluded.period, status = excluded.status, expires = excluded.expires,
                created = excluded.created, key = COALESCE(excluded.key, licenses.key),
                remote_id = COALESCE(excluded.remote_id, licenses.remote_id),
                autoprolong = COALESCE(excluded.autoprolong, licenses.autoprolong),
                ip_changed = COALESCE(excluded.ip_changed, licenses.ip_changed),
                key_changed = COALESCE(excluded.key_changed, licenses.key_changed),
                gone = excluded.gone, seen_at = excluded.seen_at, line = excluded.line
            """,
            [
                .integer(license.id), .text(license.name), .text(license.ip), .integer(license.pricelist),
                SQLValue(license.period), .integer(license.status.rawValue), SQLValue(license.expires?.description),
                SQLValue(license.created?.description), SQLValue(license.key), SQLValue(license.remoteID),
                SQLValue(license.autoprolong), SQLValue(license.ipChanged?.description),
                SQLValue(license.keyChanged?.description), SQLValue(license.serviceID), SQLValue(license.addon),
                .integer(license.gone ? 1 : 0), .text(at), .text(license.line.rawValue),
            ])
    }

    public func attach(license: Int, to service: Int?, addon: String?) throws {
        try db.query(
            "UPDATE licenses SET service_id = ?, addon = ? WHERE id = ?",
            [SQLValue(service), SQLValue(addon), .integer(license)])
    }

    public func markGone(license: Int, at: String) throws {
        try db.query("UPDATE licenses SET gone = 1, seen_at = ? WHERE id = ?", [.text(at), .integer(license)])
    }

    private func license(from row: SQLRow) -> License {
        License(
            id: row.int("id") ?? 0, name: row.string("name") ?? "", ip: Self.ip(row),
            pricelist: row.int("pricelist") ?? 0,
            line: ProductLine(rawValue: row.string("line") ?? "") ?? .soft, period: row.int("period"),
            status: License.Status(rawValue: row.int("status") ?? 0) ?? .ordered,
            expires: row.string("expires").flatMap(Day.init), created: row.string("created").flatMap(Day.init),
            key: row.string("key"), remoteID: row.string("remote_id"), autoprolong: row.string("autoprolong"),
            ipChanged: row.string("ip_changed").flatMap(Day.init),
            keyChanged: row.string("key_changed").flatMap(Day.init),
            serviceID: row.int("service_id"), addon: row.string("addon"), gone: row.int("gone") == 1)
    }

    /// Older versions stored IPs as given; read back, they take the form new rows are written in.
    private static func ip(_ row: SQLRow) -> String {
        let text = row.string("ip") ?? ""
        return IPAddress.canonical(text) ?? text
    }

    // MARK: - Journal

    public func insert(_ operation: RemoteOperation) throws {
        try db.query(
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
        try db.query(
            "UPDATE operations SET state = ?, license_id = COALESCE(?, license_id), result = ?, updated_at = ? WHERE key = ?",
            [.text(state.rawValue), SQLValue(licenseID), .text(result), .text(at), .text(key)])
    }

    public func operations(state: RemoteOperation.State) throws -> [RemoteOperation] {
        try db.query("SELECT * FROM operations WHERE state = ? ORDER BY created_at, rowid", [.text(state.rawValue)]).map
        { row in
            RemoteOperation(
                key: row.string("key") ?? "", kind: RemoteOperation.Kind(rawValue: row.string("kind") ?? "") ?? .order,
                serviceID: row.int("service_id"), addon: row.string("addon"), licenseID: row.int("license_id"),
                params: Self.decode(row.string("params") ?? "{}"),
                state: RemoteOperation.State(rawValue: row.string("state") ?? "") ?? .pending,
                result: row.string("result"), command: row.string("command") ?? "",
                createdAt: row.string("created_at") ?? "")
        }
    }

    public func spent(since timestamp: String) throws -> Int {
        try db.query(
            """
            SELECT COALESCE(SUM(CAST(json_extract(params, '$.cost') AS INTEGER)), 0) AS spent FROM operations
            WHERE state IN ('pending', 'done') AND created_at >= ? AND json_extract(params, '$.cost') IS NOT NULL
            """, [.text(timestamp)]
        ).first?.int("spent") ?? 0
    }

    private static func encode(_ params: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: params, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func decode(_ text: String) -> [String: String] {
        var params = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: String] ?? [:]
        // An order journaled by an older version may spell its IP otherwise than the listing it is settled against.
        if let ip = params["ip"] { params["ip"] = IPAddress.canonical(ip) ?? ip }
        return params
    }

    // MARK: - Workflows

    public func insert(_ workflow: Workflow) throws {
        try db.query(
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
        try db.query(
            "UPDATE workflows SET state = ?, marks = ?, updated_at = ? WHERE key = ?",
            [.text(workflow.state.rawValue), .text(Self.encode(workflow.marks)), .text(at), .text(workflow.key)])
    }

    public func openWorkflows() throws -> [Workflow] {
        try db.query("SELECT * FROM workflows WHERE state = 'open' ORDER BY created_at, rowid").map { row in
            Workflow(
                key: row.string("key") ?? "", kind: Workflow.Kind(rawValue: row.string("kind") ?? "") ?? .park,
                serviceID: row.int("service_id"), addon: row.string("addon"), licenseID: row.int("license_id") ?? 0,
                replacedID: row.int("replaced_id"), state: .open,
                marks: Set(
                    (row.string("marks") ?? "").split(separator: ",").compactMap { Workflow.Mark(rawValue: String($0)) }
                ),
                createdAt: row.string("created_at") ?? "")
        }
    }

    private static func encode(_ marks: Set<Workflow.Mark>) -> String {
        marks.map(\.rawValue).sorted().joined(separator: ",")
    }

    public func renewedUntil(license: Int) throws -> Day? {
        try db.query("SELECT renewed_until FROM licenses WHERE id = ?", [.integer(license)]).first?
            .string("renewed_until").flatMap(Day.init)
    }

    public func setRenewedUntil(_ day: Day, license: Int) throws {
        try db.query(
            "UPDATE licenses SET renewed_until = ? WHERE id = ?", [.text(day.description), .integer(license)])
    }

    // MARK: - History

    public func append(_ entry: HistoryEntry) throws {
        try db.query(
            "INSERT INTO history (at, command, service_id, license_id, action, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .text(entry.at), .text(entry.command), SQLValue(entry.serviceID), SQLValue(entry.licenseID),
                .text(entry.action), .text(entry.result), .text(entry.detail),
            ])
    }

    public func history(serviceID: Int?, licenseID: Int?) throws -> [HistoryEntry] {
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let serviceID {
            conditions.append("service_id = ?")
            bindings.append(.integer(serviceID))
        }
        if let licenseID {
            conditions.append("license_id = ?")
            bindings.append(.integer(licenseID))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " OR ")
        return try db.query("SELECT * FROM history \(filter) ORDER BY id", bindings).map { row in
            HistoryEntry(
                id: row.int("id") ?? 0, at: row.string("at") ?? "", command: row.string("command") ?? "",
                serviceID: row.int("service_id"), licenseID: row.int("license_id"), action: row.string("action") ?? "",
                result: row.string("result") ?? "", detail: row.string("detail") ?? "")
        }
    }

    // MARK: - Tariffs

    public func catalogue(includeGone: Bool) throws -> Catalogue {
        var tariffs: [Int: Tariff] = [:]
        for row in try db.query("SELECT * FROM tariffs" + (includeGone ? "" : " WHERE gone = 0")) {
            let id = row.int("id") ?? 0
            let periods = try db.query(
                "SELECT * FROM tariff_periods WHERE tariff_id = ? ORDER BY period", [.integer(id)]
            ).map {
                Tariff.Period(
                    id: $0.int("period") ?? 0, type: $0.string("type") ?? "", length: $0.int("length") ?? 0,
                    cost: $0.string("cost") ?? "")
            }
            tariffs[id] = Tariff(
                id: id, name: row.string("name") ?? "", active: row.int("active") == 1,
                itemType: row.string("item_type") ?? "", currency: row.string("currency") ?? "", periods: periods)
        }
        return Catalogue(tariffs: tariffs)
    }

    public func saveCatalogue(_ tariffs: [Tariff], at: String) throws {
        try db.query("UPDATE tariffs SET gone = 1")
        for tariff in tariffs {
            try db.query(
                """
                INSERT INTO tariffs (id, name, active, item_type, currency, gone, imported_at) VALUES (?, ?, ?, ?, ?, 0, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, active = excluded.active,
                    item_type = excluded.item_type, currency = excluded.currency, gone = 0, imported_at = excluded.imported_at
                """,
                [
                    .integer(tariff.id), .text(tariff.name), .integer(tariff.active ? 1 : 0), .text(tariff.itemType),
                    .text(tariff.currency), .text(at),
                ])
            try db.query("DELETE FROM tariff_periods WHERE tariff_id = ?", [.integer(tariff.id)])
            for period in tariff.periods {
                try db.query(
                    "INSERT OR REPLACE INTO tariff_periods (tariff_id, period, type, length, cost) VALUES (?, ?, ?, ?, ?)",
                    [
                        .integer(tariff.id), .integer(period.id), .text(period.type), .integer(period.length),
                        .text(period.cost),
                    ])
            }
        }
    }
}
