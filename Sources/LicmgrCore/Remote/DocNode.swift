import FoundationEssentials

/// A read-only view of BILLmanager's `out=json` answer. The format mirrors XML, so an element
/// may come as an object (one), an array (several) or not at all (none): `elements` hides
/// the difference, and `text` reads `{"$": "value"}` as well as a bare string.
public struct DocNode {
    let value: StrictJSON.Value?

    init(_ value: StrictJSON.Value?) { self.value = value }

    /// Parses a whole answer and returns its `doc` element. An error shows the start of the
    /// answer with `redaction` applied. The bytes are read by licmgr's own JSON reader: a page
    /// of a thousand licenses parsed through Foundation weighs many times its size.
    public static func parse(
        _ data: Data, function: String, redacting redaction: Redaction = Redaction()
    ) throws(RemoteError) -> DocNode {
        let bytes = [UInt8](data)
        guard StrictJSON.invalidUTF8Offset(bytes) == nil, let object = try? StrictJSON.parse(bytes[...]) else {
            throw .notProtocol(function: function, detail: "not JSON (\(Self.preview(data, redaction)))")
        }
        guard case .object(let root) = object, let doc = root["doc"], case .object = doc else {
            throw .notProtocol(function: function, detail: "no 'doc' object (\(Self.preview(data, redaction)))")
        }
        return DocNode(doc)
    }

    public subscript(key: String) -> DocNode {
        guard case .object(let members) = value else { return DocNode(nil) }
        return DocNode(members[key])
    }

    public var exists: Bool {
        switch value {
        case nil, .null: false
        default: true
        }
    }

    /// The element's occurrences: none, one or many, whatever shape the JSON gave.
    public var elements: [DocNode] {
        switch value {
        case .array(let array): array.map(DocNode.init)
        case nil, .null: []
        default: [DocNode(value)]
        }
    }

    /// The element's text: `{"$": "x"}`, a bare string or number; nil when absent or empty.
    public var text: String? {
        let raw: StrictJSON.Value?
        switch value {
        case .object(let members): raw = members["$"]
        case .array(let array): return array.first.flatMap { DocNode($0).text }
        default: raw = value
        }
        switch raw {
        case .string(let string): return string.isEmpty ? nil : string
        case .number(let digits): return digits
        default: return nil
        }
    }

    /// An XML attribute, carried as a `$`-prefixed key.
    public func attribute(_ name: String) -> String? {
        self["$" + name].text
    }

    /// The child's text as an integer.
    public func int(_ key: String) -> Int? {
        self[key].text.flatMap { Int($0.trimmingBlanks()) }
    }

    static func preview(_ data: Data, _ redaction: Redaction) -> String {
        if data.isEmpty { return "empty body" }
        // Redacted whole, then cut: a secret cut in two would no longer be recognised.
        let text = redaction.apply(String(decoding: data, as: UTF8.self)).replacing("\n", with: " ")
        return text.count > 60 ? "starts '\(text.prefix(60))…'" : "'\(text)'"
    }
}
