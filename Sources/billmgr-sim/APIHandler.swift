import FlyingFox
import Foundation

/// Request parameters from the query and a form body, one value per name (the body wins),
/// kept in arrival order so the call log reads as the client sent them.
struct Params: Sendable {
    private(set) var pairs: [(String, String)] = []

    init(query: String, body: String) {
        for field in (query + "&" + body).split(separator: "&") {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            if let index = pairs.firstIndex(where: { $0.0 == name }) {
                pairs[index].1 = value
            } else {
                pairs.append((name, value))
            }
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    subscript(name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }
}

/// BILLmanager's single endpoint: every path outside /sim/ answers `func=...` calls, or under
/// the redirects trait only /billmgr does, as on a real site.
struct APIHandler: HTTPHandler {
    let book: LicenseBook
    /// Every call waits this long, as behind a remote's round trip; a sleep, not a busy wait,
    /// so that calls a client has in flight together overlap as they would over a network.
    let latency: Duration
    /// The redirects trait: the site's root and /login show a login page, and every other
    /// path but /billmgr is moved there for good, as an old `/manager/billmgr` is.
    let redirects: Bool

    static let loginPage = """
        <!DOCTYPE html>
        <html><head><title>BILLmanager</title></head><body>
        <form method="post" action="/billmgr"><input type="hidden" name="func" value="auth">
        <input type="text" name="username"><input type="password" name="password">
        <button type="submit">Log in</button></form>
        </body></html>

        """

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        if latency > .zero { try await Task.sleep(for: latency) }
        if redirects, request.path != "/billmgr" {
            // Answered by the web server before BILLmanager sees the call: nothing is run or logged.
            if ["/", "/login"].contains(request.path) {
                return HTTPResponse(
                    statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: Data(Self.loginPage.utf8))
            }
            let host = request.headers[.host] ?? "127.0.0.1"
            return HTTPResponse(
                statusCode: .movedPermanently,
                headers: [HTTPHeader("Location"): "http://\(host)/billmgr", .contentType: "text/html"],
                body: Data("<html><body>Moved Permanently</body></html>\n".utf8))
        }
        await book.noteAgent(request.headers[HTTPHeader("User-Agent")])
        let body = String(decoding: try await request.bodyData, as: UTF8.self)
        let params = Params(query: request.target.query(), body: body)
        let function = params["func"] ?? ""
        guard let fault = await book.takeFault(for: function, page: Int(params["p_num"] ?? "") ?? 1) else {
            return Self.answer(await book.call(function, params))
        }
        let pause = Duration.milliseconds(fault.milliseconds)
        switch fault.kind {
        case .latency:
            try await Task.sleep(for: pause)
            return Self.answer(await book.call(function, params, fault: .latency))
        case .http500:
            await book.log(function, params, result: "fault:http500")
            return HTTPResponse(statusCode: .internalServerError, body: Data("Internal Server Error\n".utf8))
        case .noanswer:
            await book.log(function, params, result: "fault:noanswer")
            try await Task.sleep(for: pause)
            return .droppedConnection
        case .garbage:
            await book.log(function, params, result: "fault:garbage")
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/html"],
                body: Data("<html><body>502 Bad Gateway</body></html>".utf8))
        case .truncated:
            let full = Data(await book.call(function, params, fault: .truncated).serialized.utf8)
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "application/json"], body: full.prefix(full.count / 2))
        case .commitDrop:
            _ = await book.call(function, params, fault: .commitDrop)
            return .droppedConnection
        case .countPage, .shortPage, .emptyPage, .shift, .hide:
            return Self.answer(await book.call(function, params, fault: fault.kind))
        case .refuse:
            await book.log(function, params, result: "error:\(fault.errorType)")
            let error = APIError(fault.errorType, function, fault.message)
            return Self.answer(Elem.doc([("error", error.elem)]))
        case .echo:
            await book.log(function, params, result: "fault:echo")
            return HTTPResponse(
                statusCode: .ok, headers: [.contentType: "text/plain"], body: Data((body + "\n").utf8))
        }
    }

    static func answer(_ json: DocJSON) -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(json.serialized.utf8))
    }
}
