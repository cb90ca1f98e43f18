/// A JSON reader for input that must be stored exactly as written. It reads the UTF-8 bytes
/// itself, so a number keeps its digits instead of passing through floating point (which
/// rounds integers beyond 2^53), a `\u` escape never yields half a surrogate pair, and a key
/// given twice in one object is an error rather than one value silently replacing the other.
enum StrictJSON {
    indirect enum Value: Equatable, Sendable {
        case object([String: Value])
        case array([Value])
        case string(String)
        /// The number as written, e.g. `9007199254740993` or `1.5e3`.
        case number(String)
        case bool(Bool)
        case null
    }

    /// Why the bytes are not JSON, and the offset of the byte where that shows.
    struct Failure: Error, Equatable {
        var offset: Int
        var reason: String
    }

    /// The one value in `bytes`, with nothing around it but whitespace. `bytes` must be valid
    /// UTF-8 (see `invalidUTF8Offset`). Offsets in a failure are indices of `bytes`, so a slice
    /// of a file reports offsets into the file.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(Failure) -> Value {
        let tape = try Tape(bytes)
        return tape.value(at: 0)
    }

    /// A parsed document as one flat array of nodes that point into its bytes, each value in
    /// document order followed by what it holds. A node costs sixteen bytes and no allocation
    /// of its own, where a `Value` tree allocates a box, a dictionary or a string for nearly
    /// every value: a page of a thousand licenses is some 40,000 values, and a listing of
    /// 100,000 licenses a hundred such pages. Strings are decoded only when asked for.
    final class Tape: Sendable {
        enum Kind: UInt8, Sendable {
            case object, array, string, number, `true`, `false`, null
            /// A string with a backslash escape: decoded by the reader's rules, not copied.
            case escapedString
        }

        struct Node: Sendable {
            var kind: Kind
            /// For a string, its bytes between the quotes; for a number, its digits.
            var start: Int32
            var end: Int32
            /// The index of the node after this value and all it holds. An object's members
            /// are its key's node, then the value's.
            var after: Int32
        }

        let bytes: ArraySlice<UInt8>
        let nodes: [Node]

        /// Reads the one value in `bytes`, as `StrictJSON.parse` does.
        init(_ bytes: ArraySlice<UInt8>) throws(Failure) {
            guard bytes.endIndex < Int(Int32.max) else {
                throw Failure(offset: bytes.startIndex, reason: "more than 2 GB of text")
            }
            var reader = Reader(bytes: bytes)
            reader.skipWhitespace()
            try reader.value()
            reader.skipWhitespace()
            guard reader.position == bytes.endIndex else { throw reader.failure("unexpected text after the value") }
            self.bytes = bytes
            nodes = reader.nodes
        }

        func kind(_ index: Int) -> Kind { nodes[index].kind }

        /// The values the array at `index` holds.
        func elements(_ index: Int) -> some Sequence<Int> {
            let after = Int(nodes[index].after)
            return sequence(first: index + 1) { Int(self.nodes[$0].after) }.lazy.prefix { $0 < after }
        }

        /// The keys the object at `index` holds, each followed by its value.
        func keys(_ index: Int) -> some Sequence<Int> {
            let after = Int(nodes[index].after)
            return sequence(first: index + 1) { Int(self.nodes[$0 + 1].after) }.lazy.prefix { $0 < after }
        }

        /// The value of member `key` of the object at `index`; nil when it has none.
        func member(_ key: String, of index: Int) -> Int? {
            let after = Int(nodes[index].after)
            var child = index + 1
            while child < after {
                if keyEquals(child, key) { return child + 1 }
                child = Int(nodes[child + 1].after)
            }
            return nil
        }

        /// The text of the string at `index`, or the digits of the number.
        func string(_ index: Int) -> String { Self.string(of: nodes[index], in: bytes) }

        /// Whether the string at `index` says `key`, as `String` compares them.
        func keyEquals(_ index: Int, _ key: String) -> Bool {
            var key = key
            return key.withUTF8 { Self.equal(nodes[index], utf8: $0, in: bytes) }
        }

        static func string(of node: Node, in bytes: ArraySlice<UInt8>) -> String {
            guard node.kind == .escapedString else {
                return bytes.withUnsafeBufferPointer {
                    String(decoding: raw(node, in: $0, from: bytes.startIndex), as: UTF8.self)
                }
            }
            // Read already, so it cannot fail now.
            var reader = Reader(bytes: bytes)
            reader.position = Int(node.start) - 1
            return (try? reader.decodedString()) ?? ""
        }

        /// The bytes `node` spans, in `buffer`, the bytes that start at offset `base`.
        private static func raw(_ node: Node, in buffer: UnsafeBufferPointer<UInt8>, from base: Int)
            -> UnsafeBufferPointer<UInt8>
        {
            UnsafeBufferPointer(rebasing: buffer[(Int(node.start) - base)..<(Int(node.end) - base)])
        }

        /// Whether the strings of two nodes are equal, as `String` compares them.
        static func equal(_ a: Node, _ b: Node, in bytes: ArraySlice<UInt8>) -> Bool {
            guard b.kind == .string else {
                return Array(string(of: b, in: bytes).utf8).withUnsafeBufferPointer { equal(a, utf8: $0, in: bytes) }
            }
            return bytes.withUnsafeBufferPointer { equal(a, utf8: raw(b, in: $0, from: bytes.startIndex), in: bytes) }
        }

        /// Whether the string of `node` is the text whose UTF-8 is `other`, as `String` compares
        /// them: canonically equivalent texts are equal (a Kelvin sign is a K), so bytes that
        /// differ settle it only when both are ASCII.
        static func equal(_ node: Node, utf8 other: UnsafeBufferPointer<UInt8>, in bytes: ArraySlice<UInt8>) -> Bool {
            if node.kind == .string {
                let differ = bytes.withUnsafeBufferPointer { buffer -> Bool? in
                    let own = raw(node, in: buffer, from: bytes.startIndex)
                    if own.elementsEqual(other) { return false }
                    return own.allSatisfy { $0 < 0x80 } && other.allSatisfy { $0 < 0x80 } ? true : nil
                }
                if let differ { return !differ }
            }
            return string(of: node, in: bytes) == String(decoding: other, as: UTF8.self)
        }

        /// The value at `index` as a tree.
        func value(at index: Int) -> Value {
            switch nodes[index].kind {
            case .object:
                var members: [String: Value] = [:]
                for key in keys(index) { members[string(key)] = value(at: key + 1) }
                return .object(members)
            case .array: return .array(elements(index).map(value(at:)))
            case .string, .escapedString: return .string(string(index))
            case .number: return .number(string(index))
            case .true: return .bool(true)
            case .false: return .bool(false)
            case .null: return .null
            }
        }
    }

    /// The offset of the first byte that is not part of valid UTF-8, or nil when all are.
    static func invalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var position: Int
        private var depth = 0
        var nodes: [Tape.Node] = []

        // Each nested array or object is a recursive call: a bound keeps hostile input from
        // exhausting the stack. Service records nest two deep.
        private static let maximumDepth = 64

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        func failure(_ reason: String, at offset: Int? = nil) -> Failure {
            Failure(offset: offset ?? position, reason: reason)
        }

        mutating func skipWhitespace() {
            while position < bytes.endIndex, StrictJSON.isWhitespace(bytes[position]) { position += 1 }
        }

        private func peek() -> UInt8? { position < bytes.endIndex ? bytes[position] : nil }

        private mutating func take(_ ascii: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: ascii) else { return false }
            position += 1
            return true
        }

        /// Appends the value at `position` to `nodes`, and what it holds after it.
        mutating func value() throws(Failure) {
            guard let byte = peek() else { throw failure("the text ends where a value should be") }
            switch byte {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true", .true)
            case UInt8(ascii: "f"): try literal("false", .false)
            case UInt8(ascii: "n"): try literal("null", .null)
            default: throw failure("expected a value")
            }
        }

        private mutating func append(_ kind: Tape.Kind, from start: Int) {
            nodes.append(
                Tape.Node(
                    kind: kind, start: Int32(start), end: Int32(position), after: Int32(nodes.count + 1)))
        }

        private mutating func nest() throws(Failure) {
            depth += 1
            guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) deep") }
            position += 1
            skipWhitespace()
        }

        /// Closes the object or array whose node is at `index`: it holds every node since.
        private mutating func close(_ index: Int) {
            depth -= 1
            nodes[index].end = Int32(position)
            nodes[index].after = Int32(nodes.count)
        }

        private mutating func object() throws(Failure) {
            let index = nodes.count
            append(.object, from: position)
            try nest()
            var keys = KeySet(object: index)
            if !take("}") {
                repeat {
                    skipWhitespace()
                    let keyOffset = position
                    guard peek() == UInt8(ascii: "\"") else { throw failure("expected a key in double quotes") }
                    let key = nodes.count
                    try string()
                    skipWhitespace()
                    guard take(":") else { throw failure("expected ':' after a key") }
                    skipWhitespace()
                    try value()
                    guard keys.insert(key, in: self) else {
                        let text = Tape.string(of: nodes[key], in: bytes)
                        throw failure("key '\(text)' appears twice in one object", at: keyOffset)
                    }
                    skipWhitespace()
                } while take(",")
                guard take("}") else { throw failure("expected ',' or '}'") }
            }
            close(index)
        }

        /// The keys of one object so far, to refuse one given twice: each compared with those
        /// before it (found on the tape) while there are few, looked up in a set once there are many.
        private struct KeySet {
            let object: Int
            private var count = 0
            private var many: Set<String>?
            private static let fewest = 16

            init(object: Int) { self.object = object }

            mutating func insert(_ key: Int, in reader: Reader) -> Bool {
                count += 1
                let nodes = reader.nodes
                if many == nil && count <= Self.fewest {
                    var earlier = object + 1
                    while earlier < key {
                        if Tape.equal(nodes[earlier], nodes[key], in: reader.bytes) { return false }
                        earlier = Int(nodes[earlier + 1].after)
                    }
                    return true
                }
                if many == nil {
                    var set = Set<String>()
                    var earlier = object + 1
                    while earlier < key {
                        set.insert(Tape.string(of: nodes[earlier], in: reader.bytes))
                        earlier = Int(nodes[earlier + 1].after)
                    }
                    many = set
                }
                return many!.insert(Tape.string(of: nodes[key], in: reader.bytes)).inserted
            }
        }

        private mutating func array() throws(Failure) {
            let index = nodes.count
            append(.array, from: position)
            try nest()
            if !take("]") {
                repeat {
                    skipWhitespace()
                    try value()
                    skipWhitespace()
                } while take(",")
                guard take("]") else { throw failure("expected ',' or ']'") }
            }
            close(index)
        }

        private mutating func literal(_ word: String, _ kind: Tape.Kind) throws(Failure) {
            let start = position
            for byte in word.utf8 {
                guard peek() == byte else { throw failure("expected a value") }
                position += 1
            }
            append(kind, from: start)
        }

        /// The digits are kept as text; JSON's grammar is checked, the range is the reader's to judge.
        private mutating func number() throws(Failure) {
            let start = position
            _ = take("-")
            if !take("0") { try digits() }
            if take(".") { try digits() }
            if take("e") || take("E") {
                _ = take("+") || take("-")
                try digits()
            }
            append(.number, from: start)
        }

        private mutating func digits() throws(Failure) {
            let start = position
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            guard position > start else { throw failure("expected a digit") }
        }

        /// Appends the string at `position`; its node spans the bytes between the quotes.
        private mutating func string() throws(Failure) {
            let start = position + 1
            position = start
            while let byte = peek() {
                switch byte {
                case UInt8(ascii: "\""):
                    append(.string, from: start)
                    nodes[nodes.count - 1].end = Int32(position)
                    position += 1
                    return
                case UInt8(ascii: "\\"):
                    // Rare in answers: read again whole, escapes and all, to check them.
                    position = start - 1
                    _ = try decodedString()
                    nodes.append(
                        Tape.Node(
                            kind: .escapedString, start: Int32(start), end: Int32(position - 1),
                            after: Int32(nodes.count + 1)))
                    return
                case ..<0x20:
                    throw failure("a control character in a string must be escaped")
                default:
                    position += 1
                }
            }
            throw failure("a string is not closed")
        }

        // The input is UTF-8 as a whole, so the bytes between escapes are whole characters.
        mutating func decodedString() throws(Failure) -> String {
            position += 1
            var utf8: [UInt8] = []
            while let byte = peek() {
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    try escape(into: &utf8)
                case ..<0x20:
                    throw failure("a control character in a string must be escaped")
                default:
                    utf8.append(byte)
                    position += 1
                }
            }
            throw failure("a string is not closed")
        }

        private mutating func escape(into utf8: inout [UInt8]) throws(Failure) {
            let start = position
            position += 1
            guard let byte = peek() else { throw failure("a string is not closed") }
            position += 1
            if let code = Self.simpleEscapes[byte] {
                utf8.append(code)
                return
            }
            guard byte == UInt8(ascii: "u") else { throw failure("unknown escape in a string", at: start) }
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code), take("\\"), take("u") {
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw failure("\\u escape of half a surrogate pair is no character", at: start)
                }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else {
                throw failure("\\u escape of half a surrogate pair is no character", at: start)
            }
            UTF8.encode(scalar) { utf8.append($0) }
        }

        private static let simpleEscapes: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]

        private mutating func hex4() throws(Failure) -> UInt32 {
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek(), let digit = Self.hexValue(byte) else {
                    throw failure("\\u must be followed by four hexadecimal digits")
                }
                code = code << 4 | digit
                position += 1
            }
            return code
        }

        private static func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
    }
}
