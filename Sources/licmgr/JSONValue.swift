import LicmgrCore

/// A JSON value as licmgr prints it. Objects print their keys sorted by plain `String`
/// comparison, so the order is stable whatever order the code builds them in, and costs
/// nothing like Foundation's locale-aware sorting.
enum JSONValue {
    case null
    case bool(Bool)
    case int(Int)
    /// An amount in ten-thousandths (`Money`), printed as a number of two to four decimals: `12.50`.
    case money(Int)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    init(_ value: Int?) { self = value.map { .int($0) } ?? .null }
    init(_ value: String?) { self = value.map { .string($0) } ?? .null }
    init(money amount: Int?) { self = amount.map { .money($0) } ?? .null }
    init(_ values: [Int]) { self = .array(values.map { .int($0) }) }
    init(_ values: [String]) { self = .array(values.map { .string($0) }) }
    init(_ map: [String: String]) { self = .object(JSONObject(members: map.map { ($0.key, .string($0.value)) })) }

    /// Appends the compact UTF-8 text of the value, escaped as JSONSerialization escapes it
    /// without escaping slashes.
    func write(into bytes: inout [UInt8]) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let value): bytes.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): bytes.append(contentsOf: String(value).utf8)
        case .money(let amount): bytes.append(contentsOf: Money.format(amount).utf8)
        case .string(let value): Self.write(value, into: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in object.members.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.write(member.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                member.value.write(into: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func write(_ string: String, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0x00..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex = Array("0123456789abcdef".utf8)
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(nilLiteral: ()) { self = .null }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(members: elements)) }
}

/// The members of a JSON object in the order they were added.
struct JSONObject: ExpressibleByDictionaryLiteral {
    struct Member {
        let key: String
        var value: JSONValue
    }

    private(set) var members: [Member]

    /// `members` must have distinct keys; `set` keeps them so.
    init(members: [(String, JSONValue)]) {
        self.members = members.map { Member(key: $0.0, value: $0.1) }
    }

    init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(members: elements) }

    /// Adds the member, or replaces the value of the member with that key.
    mutating func set(_ key: String, _ value: JSONValue) {
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(Member(key: key, value: value))
        }
    }
}
