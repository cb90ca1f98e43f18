/// Blanks a secret out of text a remote sent back. A remote that echoes the request may
/// show the secret as sent or decoded, so every form counts: as is, percent-encoded byte by
/// byte in either case of hex (`+` for a space), and JSON-escaped. The value of `field`
/// (licmgr's form field that carries the secret) is blanked to its end too, so an echo of
/// the request that the remote itself cut short hides the part of the secret it shows.
public struct Redaction: Sendable {
    private let secret: [Unicode.Scalar]
    private let field: [UInt8]
    private static let blank = Array("********".utf8)
    /// What ends a field's value: the next field, or the page or quotes around the echo.
    private static let valueEnds = Set("&\"'<> \t\r\n".utf8)
    private static let jsonShortEscapes: [Unicode.Scalar: Character] = [
        "\"": "\"", "\\": "\\", "/": "/", "\u{8}": "b", "\u{C}": "f", "\n": "n", "\r": "r", "\t": "t",
    ]

    /// Applied after this one: a client with two secrets (a password and a session) blanks both.
    private let then: [Redaction]

    public init(secret: String = "", field: String = "", then: Redaction? = nil) {
        self.secret = Array(secret.unicodeScalars)
        self.field = field.isEmpty ? [] : Array((field + "=").utf8)
        self.then = then.map { [$0] } ?? []
    }

    /// `text` with each occurrence of the secret, and each value of the field, as `********`.
    public func apply(_ text: String) -> String {
        let own = applyOwn(text)
        return then.first?.apply(own) ?? own
    }

    private func applyOwn(_ text: String) -> String {
        guard !secret.isEmpty || !field.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let end = secretEnd(in: bytes, from: index) {
                out += Self.blank
                index = end
            } else if let end = fieldValueEnd(in: bytes, from: index) {
                out += field + Self.blank
                index = end
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Where the longest occurrence of the secret that starts at `start` ends, if one does.
    private func secretEnd(in text: [UInt8], from start: Int) -> Int? {
        guard let first = secret.first, Self.mayStart(first, text[start]) else { return nil }
        var ends: Set<Int> = [start]
        for scalar in secret {
            ends = Set(ends.flatMap { Self.ends(of: scalar, in: text, at: $0) })
            if ends.isEmpty { return nil }
        }
        return ends.max()
    }

    /// A cheap first test, as most places in a text start no occurrence.
    private static func mayStart(_ scalar: Unicode.Scalar, _ byte: UInt8) -> Bool {
        byte == String(scalar).utf8.first || byte == UInt8(ascii: "%") || byte == UInt8(ascii: "\\")
            || (scalar == " " && byte == UInt8(ascii: "+"))
    }

    private func fieldValueEnd(in text: [UInt8], from start: Int) -> Int? {
        guard !field.isEmpty, text[start...].starts(with: field) else { return nil }
        var end = start + field.count
        while end < text.count, !Self.valueEnds.contains(text[end]) { end += 1 }
        return end
    }

    /// Where `scalar` ends if it is written at `position`, for each way it may be written.
    private static func ends(of scalar: Unicode.Scalar, in text: [UInt8], at position: Int) -> [Int] {
        var encoded: Set<Int> = [position]
        for byte in String(scalar).utf8 {
            encoded = Set(encoded.flatMap { byteEnds(byte, in: text, at: $0) })
        }
        var ends = Array(encoded)
        if let end = jsonEscapeEnd(scalar, in: text, at: position) { ends.append(end) }
        return ends
    }

    /// One byte as is, as `%hh` in either case, or a space as `+`.
    private static func byteEnds(_ byte: UInt8, in text: [UInt8], at position: Int) -> [Int] {
        guard position < text.count else { return [] }
        var ends: [Int] = []
        if text[position] == byte || (byte == UInt8(ascii: " ") && text[position] == UInt8(ascii: "+")) {
            ends.append(position + 1)
        }
        if text[position] == UInt8(ascii: "%"), hexValue(in: text, at: position + 1, digits: 2) == Int(byte) {
            ends.append(position + 3)
        }
        return ends
    }

    /// A JSON string escape of `scalar`: `\uXXXX` (a surrogate pair above the BMP) or its
    /// short form.
    private static func jsonEscapeEnd(_ scalar: Unicode.Scalar, in text: [UInt8], at position: Int) -> Int? {
        guard position + 1 < text.count, text[position] == UInt8(ascii: "\\") else { return nil }
        if let letter = Self.jsonShortEscapes[scalar], text[position + 1] == letter.asciiValue {
            return position + 2
        }
        var units = Array(String(scalar).utf16)[...]
        var index = position
        while let unit = units.popFirst() {
            guard index + 1 < text.count, text[index] == UInt8(ascii: "\\"), text[index + 1] == UInt8(ascii: "u"),
                hexValue(in: text, at: index + 2, digits: 4) == Int(unit)
            else { return nil }
            index += 6
        }
        return index
    }

    private static func hexValue(in text: [UInt8], at position: Int, digits: Int) -> Int? {
        guard position + digits <= text.count else { return nil }
        var value = 0
        for byte in text[position..<position + digits] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | Int(digit)
        }
        return value
    }
}
