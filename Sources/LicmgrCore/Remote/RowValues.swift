/// How the values of a license row or view are read when the remote writes them for a person as
/// well as for a program: a list cell may carry its code as `$orig` beside the wording the web
/// interface shows, or the wording alone. Each reader takes every shape it knows and throws,
/// naming the function, the license and the field, on one it does not: a status or an expiry
/// guessed wrong would have licmgr buy, resume or let lapse what it should not.
extension BillmgrClient {
    /// What a row says of the license's status, from `status` or `item_status` (softexternal's
    /// column in BILLmanager 6): the code as text or as `$orig`, or a status's name in English or
    /// Russian. `field` is the column read; `status` nil when neither column is there.
    static func statusReading(of node: DocNode) -> (field: String, written: String, status: License.Status?)? {
        let field = node["status"].exists ? "status" : "item_status"
        let cell = node[field]
        guard cell.exists else { return nil }
        let orig = cell.attribute("orig")?.trimmingBlanks()
        let text = cell.text?.trimmingBlanks()
        // A code wins over a wording, and a code licmgr does not know is not read past.
        if let code = orig.flatMap({ Int($0) }) ?? text.flatMap({ Int($0) }) {
            return (field, String(code), License.Status(rawValue: code))
        }
        return (
            field, text ?? orig ?? "",
            orig.flatMap(License.Status.init(wording:)) ?? text.flatMap(License.Status.init(wording:))
        )
    }

    /// The license's status, or a one-line error naming what the remote wrote.
    static func status(of node: DocNode, function: String, license id: Int) throws(RemoteError) -> License.Status {
        guard let reading = statusReading(of: node) else {
            throw .notProtocol(function: function, detail: "license \(id) has no status")
        }
        guard let status = reading.status else {
            throw .notProtocol(
                function: function,
                detail: "license \(id): \(reading.field) '\(reading.written)' is not a license status")
        }
        return status
    }

    /// A date field: `YYYY-MM-DD`, alone or with a time after a space or a `T`, or `DD.MM.YYYY`,
    /// as `$orig` beside a date worded for a person or as the text; nil for none said (absent,
    /// empty, `0000-00-00`, `-`). Anything else throws: an expiry read as none is never renewed.
    static func day(_ field: String, of node: DocNode, function: String, license id: Int) throws(RemoteError) -> Day? {
        let cell = node[field]
        if let orig = cell.attribute("orig"), case .day(let day) = dateText(orig.trimmingBlanks()) { return day }
        guard let text = cell.text?.trimmingBlanks() else { return nil }
        switch dateText(text) {
        case .none: return nil
        case .day(let day): return day
        case .unreadable:
            throw .notProtocol(function: function, detail: "license \(id): \(field) '\(text)' is not a date")
        }
    }

    private enum DateText {
        case none, day(Day), unreadable
    }

    private static func dateText(_ text: String) -> DateText {
        if text.isEmpty || saysNoDate(text) { return .none }
        // The date before any time is ASCII digits and marks: `Int` reads `+027` as the year 27.
        let date = text.utf8.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "T") }
        guard date.allSatisfy({ (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return .unreadable }
        if let day = Day(text) { return .day(day) }
        let utf8 = Array(text.utf8)
        if utf8.count > 10, utf8[10] == UInt8(ascii: "T"), let day = Day(String(decoding: utf8[..<10], as: UTF8.self)) {
            return .day(day)
        }
        let parts = text.split(separator: " ").first?.split(separator: ".", omittingEmptySubsequences: false) ?? []
        if parts.count == 3, parts[0].count == 2, parts[1].count == 2, parts[2].count == 4,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }), let d = Int(parts[0]), let m = Int(parts[1]),
            let y = Int(parts[2]),
            let day = Day(year: y, month: m, day: d)
        {
            return .day(day)
        }
        return .unreadable
    }

    /// The ways a date field says there is no date: zeros (`0000-00-00 00:00:00`) or a dash.
    static func saysNoDate(_ text: String) -> Bool {
        text.allSatisfy { "0-: ".contains($0) } || text == "—" || text == "–"
    }

    /// A date that is not the license's own (a renewal's answer): nil for one not understood,
    /// since the step is done and a view settles what it did.
    static func looseDay(_ node: DocNode) -> Day? {
        guard let text = node.text, case .day(let day) = dateText(text.trimmingBlanks()) else { return nil }
        return day
    }

    /// A numeric cell's code: `$orig` where the remote writes a wording beside it, else the text.
    static func code(_ field: String, of node: DocNode) -> Int? {
        let cell = node[field]
        return cell.attribute("orig").flatMap { Int($0.trimmingBlanks()) }
            ?? cell.text.flatMap { Int($0.trimmingBlanks()) }
    }
}

extension License.Status {
    /// A status by the name the remote's web interface gives it, in English or Russian
    /// (`Active`, `Stopped`, `Удалена`); nil for a name licmgr does not know.
    init?(wording: String) {
        let word = wording.trimmingBlanks().lowercased()
        func starts(_ stems: [String]) -> Bool { stems.contains { word.hasPrefix($0) } }
        if starts(["ordered", "заказ"]) {
            self = .ordered
        } else if starts(["active", "актив"]) {
            self = .active
        } else if starts(["suspended", "stopped", "останов", "приостанов"]) {
            self = .suspended
        } else if starts(["deleted", "удал"]) {
            self = .deleted
        } else if starts(["processing", "processed", "in progress", "in-progress", "обраб", "в обработке"]) {
            self = .processing
        } else {
            return nil
        }
    }
}
