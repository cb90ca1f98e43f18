import Foundation

/// A read-only view of BILLmanager's `out=json` answer. The format mirrors XML, so an element
/// may come as an object (one), an array (several) or not at all (none): `elements` hides
/// the difference, and `text` reads `{"$": "value"}` as well as a bare string.
public struct DocNode {
    let value: Any?

    public init(_ value: Any?) { self.value = value }

    /// Parses a whole answer and returns its `doc` element. An error shows the start of the
    /// answer with `redaction` applied.
    public static func parse(
        _ data: Data, function: String, redacting redaction: Redaction = Redaction()
    ) throws(RemoteError) -> DocNode {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .notProtocol(function: function, detail: "not JSON (\(Self.preview(data, redaction)))")
        }
        guard let root = object as? [String: Any], let doc = root["doc"], doc is [String: Any] else {
            throw .notProtocol(function: function, detail: "no 'doc' object (\(Self.preview(data, redaction)))")
        }
        return DocNode(doc)
    }

    public subscript(key: String) -> DocNode {
        DocNode((value as? [String: Any])?[key])
    }

    public var exists: Bool { value != nil && !(value is NSNull) }

    /// The element's occurrences: none, one or many, whatever shape the JSON gave.
    public var elements: [DocNode] {
        switch value {
        case let array as [Any]: return array.map(DocNode.init)
        case nil, is NSNull: return []
        default: return [DocNode(value)]
        }
    }

    /// The element's text: `{"$": "x"}`, a bare string or number; nil when absent or empty.
    public var text: String? {
        let raw: Any?
        if let object = value as? [String: Any] {
            raw = object["$"]
        } else if let array = value as? [Any] {
            raw = array.first.flatMap { DocNode($0).text }
        } else {
            raw = value
        }
        switch raw {
        case let string as String: return string.isEmpty ? nil : string
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }

    /// An XML attribute, carried as a `$`-prefixed key.
    public func attribute(_ name: String) -> String? {
        DocNode((value as? [String: Any])?["$" + name]).text
    }

    /// The child's text as an integer.
    public func int(_ key: String) -> Int? {
        self[key].text.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    static func preview(_ data: Data, _ redaction: Redaction) -> String {
        if data.isEmpty { return "empty body" }
        // Redacted whole, then cut: a secret cut in two would no longer be recognised.
        let text = redaction.apply(String(decoding: data, as: UTF8.self)).replacingOccurrences(of: "\n", with: " ")
        return text.count > 60 ? "starts '\(text.prefix(60))…'" : "'\(text)'"
    }
}
