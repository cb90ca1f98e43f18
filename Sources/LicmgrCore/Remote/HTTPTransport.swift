import Foundation

/// An HTTP answer: status and body.
public struct HTTPReply: Sendable, Equatable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Sends one form POST. The seam between the BILLmanager client and the network:
/// libcurl in production, a scripted fake in unit tests.
public protocol HTTPTransport: Sendable {
    /// `function` only names the call in errors; `form` is the url-encoded body.
    func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply
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
