import FoundationEssentials

/// An HTTP answer: status and body, and what a wrong Url shows itself by.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    public var body: Data
    /// Where a 30x answer points, as an absolute URL; never followed.
    public var location: String?
    public var contentType: String?

    public init(status: Int, body: Data, location: String? = nil, contentType: String? = nil) {
        self.status = status
        self.body = body
        self.location = location
        self.contentType = contentType
    }
}

/// One form POST: the url-encoded body, and the function it calls, for errors.
public struct HTTPForm: Sendable, Equatable {
    public var form: String
    public var function: String
    /// A call that changes the remote goes out at most once: on a connection of its own, since
    /// libcurl sends a request again when a reused connection turns out to be dead, and a
    /// dropped answer to an order must never become a second order. Reads may reuse.
    public var once: Bool

    public init(form: String, function: String, once: Bool = true) {
        self.form = form
        self.function = function
        self.once = once
    }
}

/// Sends form POSTs. The seam between the BILLmanager client and the network:
/// libcurl in production, a scripted fake in unit tests.
public protocol HTTPTransport: Sendable {
    /// `function` only names the call in errors; `form` is the url-encoded body.
    func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply
    /// Sends one form, reusing a connection when the form allows it.
    func post(url: String, request: HTTPForm) throws(RemoteError) -> HTTPReply
    /// Sends `forms` with up to `parallel` in flight. `starting(i)` runs just before form `i`
    /// goes out and may hold it back (false); `each` gets every answer as it arrives. An error
    /// either throws ends the batch once the forms already sent have answered.
    func postAll(
        url: String, forms: [HTTPForm], parallel: Int, starting: (Int) throws -> Bool,
        each: (Int, Result<HTTPReply, RemoteError>) throws -> Void
    ) throws
}

extension HTTPTransport {
    public func post(url: String, request: HTTPForm) throws(RemoteError) -> HTTPReply {
        try post(url: url, form: request.form, function: request.function)
    }

    /// One form after another, for transports that cannot overlap them.
    public func postAll(
        url: String, forms: [HTTPForm], parallel: Int, starting: (Int) throws -> Bool,
        each: (Int, Result<HTTPReply, RemoteError>) throws -> Void
    ) throws {
        for (index, form) in forms.enumerated() where try starting(index) {
            let reply: Result<HTTPReply, RemoteError>
            do {
                reply = .success(try post(url: url, request: form))
            } catch {
                reply = .failure(error)
            }
            try each(index, reply)
        }
    }
}

/// Form encoding as `application/x-www-form-urlencoded`, every reserved byte escaped.
public enum FormEncoding {
    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)

    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) {
                out.append(Character(Unicode.Scalar(byte)))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
