import Foundation
import LicmgrCore

// MARK: - HTTP transport

/// One request as `ScriptedTransport` saw it.
public struct RecordedRequest: Sendable, Equatable {
    public var url: String
    public var function: String
    /// The raw url-encoded body.
    public var body: String
    /// The body decoded into fields; a repeated field keeps its last value.
    public var form: [String: String]
    /// Whether the client asked for it to go out at most once (a change), or allowed a resend (a read).
    public var once = true
}

/// What `ScriptedTransport` answers one request with.
public enum ScriptedAnswer: Sendable {
    case reply(HTTPReply)
    case failure(RemoteError)

    /// An HTTP answer with a UTF-8 body.
    public static func body(_ text: String, status: Int = 200) -> ScriptedAnswer {
        .reply(HTTPReply(status: status, body: Data(text.utf8)))
    }
}

/// An `HTTPTransport` that records every request and answers from per-function queues, then
/// per-function handlers, then a shared queue. A request with no answer scripted gets
/// `.unreachable`, so that a test forgetting one fails loudly rather than hangs.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var queued: [ScriptedAnswer] = []
    private var queuedByFunction: [String: [ScriptedAnswer]] = [:]
    private var handlers: [String: @Sendable (RecordedRequest) -> ScriptedAnswer] = [:]
    private var recorded: [RecordedRequest] = []

    public init() {}

    /// Answers the next request that has no per-function answer.
    public func enqueue(_ answer: ScriptedAnswer) {
        lock.withLock { queued.append(answer) }
    }

    /// Answers the next request for `function`.
    public func enqueue(_ answer: ScriptedAnswer, for function: String) {
        lock.withLock { queuedByFunction[function, default: []].append(answer) }
    }

    /// Answers every request for `function` (after its queue runs dry) by `handler`.
    public func respond(to function: String, with handler: @escaping @Sendable (RecordedRequest) -> ScriptedAnswer) {
        lock.withLock { handlers[function] = handler }
    }

    public var requests: [RecordedRequest] { lock.withLock { recorded } }

    public func requests(for function: String) -> [RecordedRequest] {
        requests.filter { $0.function == function }
    }

    public func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply {
        try post(url: url, request: HTTPForm(form: form, function: function))
    }

    public func post(url: String, request form: HTTPForm) throws(RemoteError) -> HTTPReply {
        let function = form.function
        let request = RecordedRequest(
            url: url, function: function, body: form.form, form: Self.decode(form.form), once: form.once)
        // The handler runs outside the lock, so that it may look at `requests` itself.
        let (queuedAnswer, handler): (ScriptedAnswer?, (@Sendable (RecordedRequest) -> ScriptedAnswer)?) = lock.withLock
        {
            recorded.append(request)
            if var queue = queuedByFunction[function], !queue.isEmpty {
                let first = queue.removeFirst()
                queuedByFunction[function] = queue
                return (first, nil)
            }
            if let handler = handlers[function] { return (nil, handler) }
            if !queued.isEmpty { return (queued.removeFirst(), nil) }
            return (nil, nil)
        }
        let answer = queuedAnswer ?? handler?(request)
        switch answer {
        case .reply(let reply): return reply
        case .failure(let error): throw error
        case nil: throw .unreachable(url: url, detail: "ScriptedTransport: nothing scripted for \(function)")
        }
    }

    /// Decodes `application/x-www-form-urlencoded` into fields.
    public static func decode(_ form: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let key = unescape(parts[0])
            fields[key] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return fields
    }
}

/// Builds BILLmanager `out=json` bodies: `{"doc": {...}}`, every value as `{"$": "text"}`.
public enum BillmgrJSON {
    /// `{"$": "value"}`
    public static func text(_ value: String) -> [String: Any] { ["$": value] }

    /// A whole answer whose `doc` holds `fields`; plain strings become `{"$": ...}`.
    public static func doc(_ fields: [String: Any] = [:]) -> String {
        serialize(["doc": wrap(fields)])
    }

    /// `{"doc": {"ok": {}}}`
    public static var ok: String { doc(["ok": [String: Any]()]) }

    /// An error answer inside HTTP 200.
    public static func error(type: String, object: String? = nil, message: String) -> String {
        var error: [String: Any] = ["$type": type, "msg": text(message)]
        if let object { error["$object"] = object }
        return serialize(["doc": ["error": error]])
    }

    /// One `soft` list row.
    public static func licenseRow(
        id: Int, name: String = "lic", ip: String = "192.0.2.1", pricelist: Int = 55227, period: Int? = 1,
        status: Int = 2, expires: String? = "2030-01-01", remoteID: String? = nil
    ) -> [String: Any] {
        var row: [String: Any] = [
            "id": text(String(id)), "licname": text(name), "ip": text(ip), "pricelist": text(String(pricelist)),
            "status": text(String(status)), "createdate": text("2024-01-01"),
        ]
        if let period { row["period"] = text(String(period)) }
        if let expires { row["expiredate"] = text(expires) }
        if let remoteID { row["remoteid"] = text(remoteID) }
        return row
    }

    /// A `soft` page: `elem` as an array, or as a single object when `singleAsObject` and one row.
    /// A page of a listing; `pageSize` is the `p_cnt` the remote echoes, none when nil.
    public static func licensePage(
        _ rows: [[String: Any]], total: Int?, singleAsObject: Bool = true, pageSize: Int? = nil
    ) -> String {
        var doc: [String: Any] = [:]
        if let pageSize { doc["p_cnt"] = text(String(pageSize)) }
        if rows.count == 1 && singleAsObject {
            doc["elem"] = rows[0]
        } else if !rows.isEmpty {
            doc["elem"] = rows
        }
        if let total { doc["p_elems"] = text(String(total)) }
        return serialize(["doc": doc])
    }

    private static func wrap(_ fields: [String: Any]) -> [String: Any] {
        fields.mapValues { value -> Any in
            if let string = value as? String { return text(string) }
            return value
        }
    }

    private static func serialize(_ object: [String: Any]) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}

// MARK: - License server

/// An in-memory `LicenseServer` for engine tests: keeps licenses, assigns ids from 100001,
/// records every call, and fails on request.
public final class FakeLicenseServer: LicenseServer, @unchecked Sendable {
    /// How the next order fails.
    public enum OrderFault: Sendable {
        /// Throws without creating anything.
        case fail(RemoteError)
        /// Creates the license, then throws `.answerLost`: the answer never came back.
        case commitThenLose
    }

    private let lock = NSLock()
    private var stored: [Int: License] = [:]
    private var nextID: Int
    private var log: [String] = []
    private var orderRequests: [OrderRequest] = []
    private var orderFaults: [OrderFault] = []
    private var tariffs: [Tariff] = []
    private var balanceAnswer: Result<[AccountBalance], RemoteError> = .success([])
    /// Expiry given to newly ordered licenses.
    public let newExpiry: Day

    public init(firstID: Int = 100_001, newExpiry: Day = Day(year: 2030, month: 1, day: 1)!) {
        nextID = firstID
        self.newExpiry = newExpiry
    }

    /// Puts a license on the account as if ordered elsewhere.
    public func add(_ license: License) {
        lock.withLock { stored[license.id] = license }
    }

    /// Removes a license from the list, as the server does 30 days after deletion.
    public func remove(_ id: Int) {
        lock.withLock { _ = stored.removeValue(forKey: id) }
    }

    /// What `exportTariffs` answers from now on.
    public func setCatalogue(_ catalogue: [Tariff]) {
        lock.withLock { tariffs = catalogue }
    }

    /// Makes the next order fail as `fault` says; faults queue up, one per order.
    public func failNextOrder(_ fault: OrderFault) {
        lock.withLock { orderFaults.append(fault) }
    }

    /// Every call by name (`list`, `view`, `order`, `edit`, ...), in order.
    public var calls: [String] { lock.withLock { log } }
    public func callCount(_ name: String) -> Int { calls.filter { $0 == name }.count }
    public var orders: [OrderRequest] { lock.withLock { orderRequests } }
    public var licenses: [License] { lock.withLock { stored.values.sorted { $0.id < $1.id } } }
    public func license(_ id: Int) -> License? { lock.withLock { stored[id] } }

    private func note(_ name: String) { lock.withLock { log.append(name) } }

    /// The license, as a function of `line` sees it (nil: a `service.*` call, which sees all).
    private func existing(_ id: Int, _ function: String, line: ProductLine? = nil) throws(RemoteError) -> License {
        guard let license = lock.withLock({ stored[id] }), line == nil || license.line == line else {
            throw .refused(function: function, type: "missed", object: "elid", message: "no license \(id)")
        }
        return license
    }

    private func update(
        _ id: Int, _ function: String, line: ProductLine? = nil, _ change: (inout License) -> Void
    ) throws(RemoteError) {
        var license = try existing(id, function, line: line)
        change(&license)
        lock.withLock { stored[id] = license }
    }

    public func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License] {
        note("list")
        return licenses.filter { lines.contains($0.line) }
    }

    public func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License {
        note("view")
        return try existing(id, line.function("soft.edit"), line: line)
    }

    public func order(_ request: OrderRequest) throws(RemoteError) -> Int {
        note("order")
        let fault: OrderFault? = lock.withLock {
            orderRequests.append(request)
            return orderFaults.isEmpty ? nil : orderFaults.removeFirst()
        }
        if case .fail(let error) = fault { throw error }
        let id: Int = lock.withLock {
            let id = nextID
            nextID += 1
            stored[id] = License(
                id: id, name: request.name, ip: request.ip, pricelist: request.pricelist, line: request.line,
                period: request.period,
                status: .active, expires: newExpiry, remoteID: request.remoteID, autoprolong: "off")
            return id
        }
        if case .commitThenLose = fault {
            throw .answerLost(function: "soft.order.param", detail: "connection reset (FakeLicenseServer)")
        }
        return id
    }

    public func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError) {
        note("edit")
        try update(license, line.function("soft.edit"), line: line) { license in
            if let name { license.name = name }
            if let ip { license.ip = ip }
        }
    }

    public func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String? {
        note("newkey")
        let key = "KEY-\(license)-\(calls.count)"
        try update(license, line.function("soft.edit"), line: line) { $0.key = key }
        return key
    }

    public func prolong(license: Int, period: Int) throws(RemoteError) -> Day? {
        note("prolong")
        var expiry: Day?
        try update(license, "service.prolong") { license in
            license.expires = (license.expires ?? newExpiry).adding(months: max(period, 1))
            expiry = license.expires
        }
        return expiry
    }

    public func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError) {
        note("changepricelist")
        try update(license, "service.changepricelist") { license in
            license.pricelist = pricelist
            license.period = period
        }
    }

    public func suspend(license: Int, line: ProductLine) throws(RemoteError) {
        note("suspend")
        try update(license, line.function("soft.suspend"), line: line) { $0.status = .suspended }
    }

    public func resume(license: Int, line: ProductLine) throws(RemoteError) {
        note("resume")
        try update(license, line.function("soft.resume"), line: line) { $0.status = .active }
    }

    public func delete(license: Int, line: ProductLine) throws(RemoteError) {
        note("delete")
        try update(license, line.function("soft.delete"), line: line) { $0.status = .deleted }
    }

    public func exportTariffs() throws(RemoteError) -> [Tariff] {
        note("export")
        return lock.withLock { tariffs }
    }

    /// What `balances` answers from now on: rows, or an error to throw.
    public func setBalances(_ answer: Result<[AccountBalance], RemoteError>) {
        lock.withLock { balanceAnswer = answer }
    }

    public func balances() throws(RemoteError) -> [AccountBalance] {
        note("subaccount")
        return try lock.withLock { balanceAnswer }.get()
    }
}

// MARK: - Operation keys

/// Operation keys `lm-test-1`, `lm-test-2`, ...; shared state so that copies count together.
public struct SequentialKeys: OperationKeySource {
    private final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var value = 0
    }

    private let counter = Counter()
    public let prefix: String

    public init(prefix: String = "lm-test-") { self.prefix = prefix }

    public func next() -> String {
        let number = counter.lock.withLock {
            counter.value += 1
            return counter.value
        }
        return "\(prefix)\(number)"
    }
}

// MARK: - Files

/// A fresh directory under the system's temporary directory, removed on deinit.
public final class TemporaryDirectory {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("licmgr-unit-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Writes `text` to `name` with `mode`; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let target = file(name)
        guard FileManager.default.createFile(atPath: target, contents: Data(text.utf8)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    /// The file's permission bits.
    public func mode(of name: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file(name))
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}
