import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A running `billmgr-sim` on 127.0.0.1, with its control endpoints. The child watches its
/// stdin, so closing the pipe stops it even where SIGTERM would be ignored.
public final class SimServer: @unchecked Sendable {
    public let process = Process()
    public let url: String
    public let base: String
    private let stdin = Pipe()

    /// The dialect every simulator of the run speaks unless a test names its own:
    /// `LICMGR_SIM_DIALECT` (`classic`, `all`, or traits separated by commas).
    public static var defaultDialect: String {
        ProcessInfo.processInfo.environment["LICMGR_SIM_DIALECT"].flatMap { $0.isEmpty ? nil : $0 } ?? "classic"
    }

    /// The dialect this simulator speaks.
    public let dialect: String

    public init(arguments: [String] = []) throws {
        process.executableURL = Products.simulator
        var arguments = arguments
        if let index = arguments.firstIndex(of: "--dialect"), index + 1 < arguments.count {
            dialect = arguments[index + 1]
        } else {
            dialect = Self.defaultDialect
            arguments += ["--dialect", dialect]
        }
        process.arguments = ["--port", "0", "--watch-stdin"] + arguments
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let reader = stdout.fileHandleForReading
        // Bounded: the simulator prints its address at once; a few KiB without a newline is a bug.
        while line.count < 4096, !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let range = text.range(of: "http://") else {
            process.terminate()
            throw SimError.startFailed(text)
        }
        url = String(text[range.lowerBound...])
        base = url.replacingOccurrences(of: "/billmgr", with: "")
    }

    deinit { stop() }

    /// True when this simulator answers with `trait` (`money4`, `funds`, ...).
    public func speaks(_ trait: String) -> Bool {
        let words = dialect.split(separator: ",").map(String.init)
        return words.contains("all") || words.contains(trait)
    }

    public func stop() {
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    // MARK: - Control

    public struct Call: Sendable {
        public var function: String
        public var params: [String: String]
        public var result: String
    }

    public struct State: Sendable {
        public var licenses: [[String: String]]
        public var calls: [Call]
        public var spent: String
        public var balance: String
        /// Session ids `func=auth` has handed out.
        public var sessions: [String]

        public func calls(_ function: String) -> [Call] { calls.filter { $0.function == function } }
    }

    public func state() throws -> State {
        let object = try control("GET", "/sim/state", body: nil)
        let licenses = (object["licenses"] as? [[String: Any]] ?? []).map { row in
            row.mapValues { value -> String in
                if let string = value as? String { return string }
                return "\(value)"
            }
        }
        let calls = (object["calls"] as? [[String: Any]] ?? []).map { call in
            Call(
                function: call["func"] as? String ?? "",
                params: call["params"] as? [String: String] ?? [:],
                result: call["result"] as? String ?? "")
        }
        return State(
            licenses: licenses, calls: calls, spent: object["spent"] as? String ?? "",
            balance: object["balance"] as? String ?? "", sessions: object["sessions"] as? [String] ?? [])
    }

    /// Requests by User-Agent header since the start or the last reset of the call log.
    public func userAgents() throws -> [String: Int] {
        try control("GET", "/sim/agents", body: nil).compactMapValues { $0 as? Int }
    }

    /// Seeds licenses without spending; returns their ids.
    @discardableResult
    public func seed(_ licenses: [[String: Any]]) throws -> [Int] {
        let object = try control("POST", "/sim/licenses", body: licenses)
        return (object["ids"] as? [Any] ?? []).compactMap { ($0 as? String).flatMap(Int.init) ?? ($0 as? Int) }
    }

    /// Edits fields of licenses on the account, as a person on the remote would; each object
    /// names its license by `id`.
    public func update(_ licenses: [[String: Any]]) throws {
        try control("PATCH", "/sim/licenses", body: licenses)
    }

    /// Makes the next `times` calls of `function` fail as `kind`.
    /// `refuse` answers an in-band error of `type` with `message` and does nothing.
    /// `page` limits a listing fault to that page (`p_num`).
    public func fault(
        _ function: String, _ kind: String, ms: Int? = nil, times: Int = 1, type: String? = nil,
        message: String? = nil, page: Int? = nil
    ) throws {
        var body: [String: Any] = ["func": function, "kind": kind, "times": times]
        if let page { body["page"] = page }
        if let ms { body["ms"] = ms }
        if let type { body["type"] = type }
        if let message { body["msg"] = message }
        try control("POST", "/sim/faults", body: body)
    }

    public func setToday(_ day: String) throws {
        try control("POST", "/sim/today", body: ["today": day])
    }

    public func clearFaults() throws {
        try control("DELETE", "/sim/faults", body: nil)
    }

    /// Back to an empty account: every license disappears from the remote list.
    public func reset() throws {
        try control("POST", "/sim/reset", body: [String: String]())
    }

    /// Kills every session, as a server restart would: the next call with one is refused.
    public func expireSessions() throws {
        try control("POST", "/sim/sessions/expire", body: [String: String]())
    }

    public func setBalance(_ balance: String) throws {
        try control("POST", "/sim/balance", body: ["balance": balance])
    }

    /// Prices `period` of `tariff` at `cost` (up to four decimals; past the cent only under `money4`).
    public func setPrice(tariff: String, period: String, _ cost: String) throws {
        try control("POST", "/sim/price", body: ["tariff": tariff, "period": period, "cost": cost])
    }

    /// URLSession's libcurl takes a proxy from http_proxy and its kin, and URLSession on Linux
    /// has no setting to stop it; the control calls go to loopback, so this process drops them
    /// once, before its first call. licmgr's runs get them only from `Workspace.environment`.
    private static let directControl: Void = {
        for name in Workspace.proxyVariables { unsetenv(name) }
    }()

    @discardableResult
    private func control(_ method: String, _ path: String, body: Any?) throws -> [String: Any] {
        Self.directControl
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.data = data
            box.status = (response as? HTTPURLResponse)?.statusCode ?? 0
            box.error = error
            done.signal()
        }.resume()
        done.wait()
        if let error = box.error { throw error }
        guard box.status == 200, let data = box.data else {
            throw SimError.control(path, box.status, String(decoding: box.data ?? Data(), as: UTF8.self))
        }
        return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    private final class ResultBox: @unchecked Sendable {
        var data: Data?
        var status = 0
        var error: (any Error)?
    }
}

public enum SimError: Error, CustomStringConvertible {
    case startFailed(String)
    case control(String, Int, String)

    public var description: String {
        switch self {
        case .startFailed(let line): return "billmgr-sim did not start: '\(line)'"
        case .control(let path, let status, let body): return "billmgr-sim \(path): HTTP \(status) \(body)"
        }
    }
}
