import FoundationEssentials

/// A read-only view of BILLmanager's `out=json` answer. The format mirrors XML, so an element
/// may come as an object (one), an array (several) or not at all (none): `elements` hides
/// the difference, and `text` reads `{"$": "value"}` as well as a bare string.
public struct DocNode: Sendable {
    /// The answer it belongs to, or nil for an element that is not there.
    private let tape: StrictJSON.Tape?
    private let index: Int

    private init(_ tape: StrictJSON.Tape?, _ index: Int) {
        self.tape = tape
        self.index = index
    }

    private static let absent = DocNode(nil, 0)

    /// Parses a whole answer and returns its `doc` element. An error shows the start of the
    /// answer with `redaction` applied. The bytes are read by licmgr's own JSON reader into one
    /// flat tape: a page of a thousand licenses parsed into a tree weighs many times its size,
    /// and takes an allocation for nearly every value.
    public static func parse(
        _ data: Data, function: String, redacting redaction: Redaction = Redaction()
    ) throws(RemoteError) -> DocNode {
        let bytes = [UInt8](data)
        guard StrictJSON.invalidUTF8Offset(bytes) == nil, let tape = try? StrictJSON.Tape(bytes[...]) else {
            throw .notProtocol(function: function, detail: "not JSON (\(Self.preview(data, redaction)))")
        }
        let doc = DocNode(tape, 0)["doc"]
        guard let index = doc.index(of: .object) else {
            throw .notProtocol(function: function, detail: "no 'doc' object (\(Self.preview(data, redaction)))")
        }
        return DocNode(tape, index)
    }

    /// Its place on the tape when it is there and of `kind`.
    private func index(of kind: StrictJSON.Tape.Kind) -> Int? {
        tape?.kind(index) == kind ? index : nil
    }

    public subscript(key: String) -> DocNode {
        guard let tape, let object = index(of: .object), let member = tape.member(key, of: object) else {
            return Self.absent
        }
        return DocNode(tape, member)
    }

    public var exists: Bool {
        guard let tape else { return false }
        return tape.kind(index) != .null
    }

    /// The element's occurrences: none, one or many, whatever shape the JSON gave.
    public var elements: [DocNode] {
        guard let tape else { return [] }
        switch tape.kind(index) {
        case .array: return tape.elements(index).map { DocNode(tape, $0) }
        case .null: return []
        default: return [self]
        }
    }

    /// The element's text: `{"$": "x"}`, a bare string or number; nil when absent or empty.
    public var text: String? {
        guard let tape else { return nil }
        var at = index
        switch tape.kind(index) {
        case .object:
            guard let member = tape.member("$", of: index) else { return nil }
            at = member
        case .array:
            return tape.elements(index).first { _ in true }.flatMap { DocNode(tape, $0).text }
        default: break
        }
        switch tape.kind(at) {
        case .string, .escapedString:
            let string = tape.string(at)
            return string.isEmpty ? nil : string
        case .number: return tape.string(at)
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
