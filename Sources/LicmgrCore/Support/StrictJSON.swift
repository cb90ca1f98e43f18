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
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value()
        reader.skipWhitespace()
        guard reader.position == bytes.endIndex else { throw reader.failure("unexpected text after the value") }
        return value
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

        mutating func value() throws(Failure) -> Value {
            guard let byte = peek() else { throw failure("the text ends where a value should be") }
            switch byte {
            case UInt8(ascii: "{"): return try object()
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: throw failure("expected a value")
            }
        }

        private mutating func nest() throws(Failure) {
            depth += 1
            guard depth <= Self.maximumDepth else { throw failure("nested more than \(Self.maximumDepth) deep") }
            position += 1
            skipWhitespace()
        }

        private mutating func object() throws(Failure) -> Value {
            try nest()
            var members: [String: Value] = [:]
            if !take("}") {
                repeat {
                    skipWhitespace()
                    let keyOffset = position
                    guard peek() == UInt8(ascii: "\"") else { throw failure("expected a key in double quotes") }
                    let key = try string()
                    skipWhitespace()
                    guard take(":") else { throw failure("expected ':' after a key") }
                    skipWhitespace()
                    if members.updateValue(try value(), forKey: key) != nil {
                        throw failure("key '\(key)' appears twice in one object", at: keyOffset)
                    }
                    skipWhitespace()
                } while take(",")
                guard take("}") else { throw failure("expected ',' or '}'") }
            }
            depth -= 1
            return .object(members)
        }

        private mutating func array() throws(Failure) -> Value {
            try nest()
            var elements: [Value] = []
            if !take("]") {
                repeat {
                    skipWhitespace()
                    elements.append(try value())
                    skipWhitespace()
                } while take(",")
                guard take("]") else { throw failure("expected ',' or ']'") }
            }
            depth -= 1
            return .array(elements)
        }

        private mutating func literal(_ word: String, _ value: Value) throws(Failure) -> Value {
            for byte in word.utf8 {
                guard peek() == byte else { throw failure("expected a value") }
                position += 1
            }
            return value
        }

        /// The digits are kept as text; JSON's grammar is checked, the range is the reader's to judge.
        private mutating func number() throws(Failure) -> String {
            let start = position
            _ = take("-")
            if !take("0") { try digits() }
            if take(".") { try digits() }
            if take("e") || take("E") {
                _ = take("+") || take("-")
                try digits()
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        private mutating func digits() throws(Failure) {
            let start = position
            while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            guard position > start else { throw failure("expected a digit") }
        }

        // The input is UTF-8 as a whole, so the bytes between escapes are whole characters.
        private mutating func string() throws(Failure) -> String {
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
