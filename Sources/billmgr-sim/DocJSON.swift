/// JSON with ordered object keys, so answers read in the order BILLmanager's XML would
/// have them and transcripts stay stable from one run to the next.
indirect enum DocJSON: Sendable {
    case string(String)
    case bool(Bool)
    case int(Int)
    case array([DocJSON])
    case object([(String, DocJSON)])

    var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let text):
            Self.quote(text, into: &out)
        case .bool(let flag):
            out += flag ? "true" : "false"
        case .int(let number):
            out += String(number)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out += "," }
                Self.quote(key, into: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            // Nearly every value needs no escape, and a 100,000-row listing holds a million: appended whole.
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// One element of BILLmanager's XML document; `json` applies the server's XML-to-JSON rules.
struct Elem: Sendable {
    var attributes: [(String, String)] = []
    var text = ""
    var children: [(String, Elem)] = []

    static func text(_ value: String) -> Elem {
        Elem(text: value)
    }

    static func fields(_ pairs: [(String, String)]) -> Elem {
        Elem(children: pairs.map { ($0.0, .text($0.1)) })
    }

    /// Every API answer is rooted at `doc`.
    static func doc(_ children: [(String, Elem)]) -> DocJSON {
        .object([("doc", Elem(children: children).json)])
    }

    var json: DocJSON {
        var fields = attributes.map { ("$" + $0.0, DocJSON.string($0.1)) }
        // An element without text is `{}` as in the real server (e.g. a fresh order's lickey),
        // so clients meet that shape here rather than first in production.
        if !text.isEmpty { fields.append(("$", .string(text))) }
        // Few distinct names (a page is a thousand `elem`s and three others): a scan beats hashing each.
        var groups: [(name: String, members: [DocJSON])] = []
        for (name, child) in children {
            if let index = groups.firstIndex(where: { $0.name == name }) {
                groups[index].members.append(child.json)
            } else {
                groups.append((name, [child.json]))
            }
        }
        for (name, members) in groups {
            fields.append((name, members.count == 1 ? members[0] : .array(members)))
        }
        return .object(fields)
    }
}
