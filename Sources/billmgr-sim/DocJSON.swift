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
        var names: [String] = []
        var groups: [String: [DocJSON]] = [:]
        for (name, child) in children {
            if groups[name] == nil { names.append(name) }
            groups[name, default: []].append(child.json)
        }
        for name in names {
            let group = groups[name]!
            fields.append((name, group.count == 1 ? group[0] : .array(group)))
        }
        return .object(fields)
    }
}
