import FlyingFox
import Foundation

struct ControlError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}

/// A JSON value read as text whatever type the test wrote it with (`"id": 5` or `"id": "5"`).
private struct LooseString: Decodable {
    let value: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text
        } else if let flag = try? container.decode(Bool.self) {
            value = flag ? "true" : "false"
        } else if let number = try? container.decode(Int.self) {
            value = String(number)
        } else {
            value = String(try container.decode(Double.self))
        }
    }
}

/// The unauthenticated /sim/ endpoints tests use to seed, inspect and sabotage the simulator.
struct ControlHandler: HTTPHandler {
    let book: LicenseBook

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        do {
            switch (request.method, request.path) {
            case (.GET, "/sim/state"):
                return Self.reply(await book.state)
            case (.GET, "/sim/calls"):
                return Self.reply(await book.callCountsJSON)
            case (.GET, "/sim/agents"):
                return Self.reply(await book.agentsJSON)
            case (.DELETE, "/sim/calls"):
                await book.forgetCalls()
            case (.POST, "/sim/licenses"):
                let objects = try await Self.decode([[String: LooseString]].self, from: request)
                let ids = try await book.seed(objects.map { $0.mapValues(\.value) })
                return Self.reply(.object([("ids", .array(ids.map { .string(String($0)) }))]))
            case (.PATCH, "/sim/licenses"):
                let objects = try await Self.decode([[String: LooseString]].self, from: request)
                try await book.update(objects.map { $0.mapValues(\.value) })
            case (.POST, "/sim/today"):
                guard let day = try await Self.fields(of: request)["today"].flatMap(Day.init) else {
                    throw ControlError("today must be YYYY-MM-DD")
                }
                await book.setToday(day)
            case (.POST, "/sim/balance"):
                guard let amount = try await Self.fields(of: request)["balance"].flatMap(Money.parse) else {
                    throw ControlError("balance must be an amount like 100.00")
                }
                await book.setBalance(amount)
            case (.POST, "/sim/price"):
                let fields = try await Self.fields(of: request)
                guard let tariff = fields["tariff"], let period = fields["period"],
                    let amount = fields["cost"].flatMap(Money.parse)
                else { throw ControlError("price needs tariff, period and cost (an amount like 12.3450)") }
                try await book.setPrice(tariff: tariff, period: period, amount)
            case (.POST, "/sim/faults"):
                await book.addFault(try Fault(fields: try await Self.fields(of: request)))
            case (.DELETE, "/sim/faults"):
                await book.clearFaults()
            case (.POST, "/sim/sessions/expire"):
                await book.expireSessions()
            case (.POST, "/sim/reset"):
                await book.reset()
            default:
                return Self.reply(
                    .object([("error", .string("no control endpoint \(request.method.rawValue) \(request.path)"))]),
                    status: .notFound)
            }
            return Self.reply(.object([("ok", .bool(true))]))
        } catch let error as ControlError {
            return Self.reply(.object([("error", .string(error.message))]), status: .badRequest)
        } catch {
            return Self.reply(.object([("error", .string("bad JSON body: \(error)"))]), status: .badRequest)
        }
    }

    private static func fields(of request: HTTPRequest) async throws -> [String: String] {
        try await decode([String: LooseString].self, from: request).mapValues(\.value)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) async throws -> T {
        try JSONDecoder().decode(type, from: try await request.bodyData)
    }

    private static func reply(_ json: DocJSON, status: HTTPStatusCode = .ok) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "application/json"], body: Data(json.serialized.utf8))
    }
}
