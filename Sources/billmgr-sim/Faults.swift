import FlyingFox

/// A scripted misbehaviour for the next `times` calls of one API function ("*": any),
/// so tests can rehearse outages, lost answers and slow servers.
struct Fault: Sendable {
    enum Kind: String, Sendable {
        case latency, http500, noanswer, garbage, truncated
        case commitDrop = "commit-drop"
        /// An in-band refusal (HTTP 200 with `doc.error`) and nothing done.
        case refuse
        /// Listings that do not add up: `p_elems` counting the page, a page short by one row or
        /// empty, or rows shifted by one (as when a license vanishes between two pages).
        case countPage = "count-page"
        case shortPage = "short-page"
        case emptyPage = "empty-page"
        case shift
        /// A listing that lies consistently: its first row only, and a `p_elems` of 1.
        case hide

        var distortsListing: Bool { [.countPage, .shortPage, .emptyPage, .shift, .hide].contains(self) }
        /// A page that is not JSON and shows the request body as received, credentials and
        /// all, as some broken proxies and debug pages do; nothing done.
        case echo
    }

    let function: String
    let kind: Kind
    let milliseconds: Int
    var times: Int
    /// Only this page of a listing (`p_num`), when given.
    let page: Int?
    /// For `refuse`: the error's `$type` and message.
    let errorType: String
    let message: String

    init(fields: [String: String]) throws(ControlError) {
        guard let function = fields["func"], !function.isEmpty else { throw ControlError("func is required") }
        guard let kind = fields["kind"].flatMap(Kind.init) else {
            throw ControlError(
                "kind must be latency, http500, noanswer, garbage, truncated, commit-drop, refuse, echo, count-page, "
                    + "short-page, empty-page, shift or hide")
        }
        guard let milliseconds = Int(fields["ms"] ?? (kind == .noanswer ? "30000" : "0")), milliseconds >= 0,
            let times = Int(fields["times"] ?? "1"), times >= 1
        else { throw ControlError("ms must be >= 0 and times >= 1") }
        (self.function, self.kind, self.milliseconds, self.times) = (function, kind, milliseconds, times)
        errorType = fields["type"] ?? "value"
        message = fields["msg"] ?? "refused by a scripted fault"
        if let text = fields["page"] {
            guard let page = Int(text), page >= 1 else { throw ControlError("page must be >= 1") }
            self.page = page
        } else {
            page = nil
        }
    }

    func matches(_ function: String, page requested: Int) -> Bool {
        (self.function == function || self.function == "*") && (page == nil || page == requested)
    }
}

/// Closes the connection without a single response byte. FlyingFox writes an HTTP response's
/// status line before pulling its body, so no failing body can achieve this; a WebSocket
/// response, however, asks its handler for frames before writing anything, and when that
/// throws the server just closes the socket. Clients see "empty reply" (curl error 52).
struct DropConnection: WSHandler {
    struct Dropped: Error {}

    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw Dropped()
    }
}

extension HTTPResponse {
    static var droppedConnection: HTTPResponse {
        HTTPResponse(webSocket: DropConnection())
    }
}
