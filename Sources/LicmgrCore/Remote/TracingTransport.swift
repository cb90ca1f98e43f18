import FoundationEssentials
import Synchronization

/// Writes every request that goes through `inner`, and its answer, to a `TraceFile`: the
/// time, the function, the form sent, the HTTP status and the body received, or the failure.
/// The password, the session ids the remote hands out and the license keys in answers are
/// blanked before anything is written: a trace is made to be sent to someone.
public struct TracingTransport: HTTPTransport {
    public let inner: any HTTPTransport
    public let trace: TraceFile
    private let password: String
    /// Session ids read from `func=auth` answers; blanked wherever they show up after.
    private let sessions = SessionIDs()

    private final class SessionIDs: Sendable {
        let ids = Mutex<[String]>([])
    }

    public init(wrapping inner: any HTTPTransport, trace: TraceFile, password: String) {
        self.inner = inner
        self.trace = trace
        self.password = password
    }

    public func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply {
        try post(url: url, request: HTTPForm(form: form, function: function))
    }

    public func post(url: String, request: HTTPForm) throws(RemoteError) -> HTTPReply {
        let number = sending(request, to: url)
        do {
            let reply = try inner.post(url: url, request: request)
            answered(number, request, .success(reply))
            return reply
        } catch {
            answered(number, request, .failure(error))
            throw error
        }
    }

    public func postAll(
        url: String, forms: [HTTPForm], parallel: Int, starting: (Int) throws -> Bool,
        each: (Int, Result<HTTPReply, RemoteError>) throws -> Void
    ) throws {
        var numbers: [Int: Int] = [:]
        try inner.postAll(
            url: url, forms: forms, parallel: parallel,
            starting: { index in
                guard try starting(index) else { return false }
                numbers[index] = sending(forms[index], to: url)
                return true
            },
            each: { index, reply in
                answered(numbers[index] ?? 0, forms[index], reply)
                try each(index, reply)
            })
    }

    private func sending(_ request: HTTPForm, to url: String) -> Int {
        let number = trace.take()
        trace.write("#\(number) request \(request.function) to \(url)", redaction().apply(request.form))
        return number
    }

    private func answered(_ number: Int, _ request: HTTPForm, _ reply: Result<HTTPReply, RemoteError>) {
        switch reply {
        case .success(let reply):
            if request.function == "auth" { learnSession(from: reply) }
            let body = String(decoding: reply.body, as: UTF8.self)
            let keys = Self.licenseKeys(in: body)
            let blanked = keys.reduce(redaction()) { Redaction(secret: $1, then: $0) }.apply(body)
            trace.write(
                "#\(number) answer \(request.function): HTTP \(reply.status), \(reply.body.count) bytes", blanked)
        case .failure(let error):
            let text = error.redacting(redaction()).description
            trace.write("#\(number) no answer \(request.function): \(text)")
        }
    }

    /// The password in any form licmgr sends it (`authinfo=user:password`, `password=` of
    /// `func=auth`, and as an echo), and each session id with the `auth=` field that carries it.
    private func redaction() -> Redaction {
        let known = sessions.ids.withLock { $0 }
        var redaction = Redaction(secret: password, field: "authinfo", then: Redaction(field: "password"))
        redaction = Redaction(field: "auth", then: redaction)
        for session in known { redaction = Redaction(secret: session, then: redaction) }
        return redaction
    }

    private func learnSession(from reply: HTTPReply) {
        guard let doc = try? DocNode.parse(reply.body, function: "auth"),
            let id = doc["auth"].attribute("id") ?? doc["auth"].text, !id.isEmpty
        else { return }
        sessions.ids.withLock { if !$0.contains(id) { $0.append(id) } }
    }

    /// The value of every `lickey` member in an answer, in any shape the remote writes it: a
    /// string, an element's text (`{"$": "..."}`, among attributes or not), an array of
    /// either; and what an answer cut short shows of one. Read from the text rather than a
    /// parsed document so that a truncated or malformed answer is blanked too.
    static func licenseKeys(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        let member = Array("\"lickey\"".utf8)
        var keys: [String] = []
        var index = 0
        while let start = bytes.firstRange(of: member, from: index) {
            var scanner = JSONScanner(bytes: bytes, at: start + member.count)
            index = start + member.count
            scanner.skipBlanks()
            guard scanner.take(UInt8(ascii: ":")) else { continue }
            scanner.collectText(into: &keys)
            index = max(index, scanner.position)
        }
        return keys.filter { !$0.isEmpty }
    }
}

/// Just enough of a JSON reader to find the text of a value without parsing the whole answer.
private struct JSONScanner {
    let bytes: [UInt8]
    var position: Int

    init(bytes: [UInt8], at position: Int) {
        self.bytes = bytes
        self.position = position
    }

    mutating func skipBlanks() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// The text a value carries: the string itself, the `$` member of an object, or those of
    /// an array's elements.
    mutating func collectText(into texts: inout [String]) {
        skipBlanks()
        guard position < bytes.count else { return }
        switch bytes[position] {
        case UInt8(ascii: "\""):
            texts.append(string())
        case UInt8(ascii: "{"):
            position += 1
            while true {
                skipBlanks()
                if take(UInt8(ascii: "}")) { return }
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return }
                let name = string()
                skipBlanks()
                guard take(UInt8(ascii: ":")) else { return }
                if name == "$" {
                    collectText(into: &texts)
                } else {
                    skipValue()
                }
                skipBlanks()
                _ = take(UInt8(ascii: ","))
            }
        case UInt8(ascii: "["):
            position += 1
            while true {
                skipBlanks()
                if take(UInt8(ascii: "]")) { return }
                let before = position
                collectText(into: &texts)
                skipBlanks()
                _ = take(UInt8(ascii: ","))
                // A value the scan cannot get past: the answer is malformed from here on.
                if position == before { return }
            }
        default:
            skipValue()
        }
    }

    /// A string's raw text between its quotes, escapes as written; to the end of the text if
    /// the closing quote never comes.
    mutating func string() -> String {
        position += 1
        let start = position
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        let end = min(position, bytes.count)
        position = min(position + 1, bytes.count)
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    mutating func skipValue() {
        skipBlanks()
        var depth = 0
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\""):
                _ = string()
                if depth == 0 { return }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return }
                depth -= 1
                if depth == 0 {
                    position += 1
                    return
                }
            case UInt8(ascii: ","):
                if depth == 0 { return }
            default:
                break
            }
            position += 1
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func firstRange(of needle: [UInt8], from start: Int) -> Int? {
        guard needle.count <= count else { return nil }
        var index = start
        while index + needle.count <= count {
            if self[index] == needle[0], self[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
