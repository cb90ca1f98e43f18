/// One license as the reseller's BILLmanager keeps it.
struct License: Sendable {
    static let firstID = 100_001

    let id: Int
    var licname = ""
    var ip = ""
    var pricelist = "55227"
    var period = "1"
    /// 1 ordered, 2 active, 3 suspended, 4 deleted, 5 processing.
    var status = 2
    var createdate: Day
    var expiredate: Day
    var autoprolong = "off"
    var remoteid = ""
    var lickey = randomHex(32)
    var ipChangeDate: Day
    var lickeyChangeDate: Day
    /// A 100%-discount license: the server refuses to renew it and the API never says why in advance.
    var noprolong = false
    /// Views still to show status 5 before a new order gets its key.
    var processingLeft = 0

    init(id: Int, today: Day) {
        self.id = id
        (createdate, ipChangeDate, lickeyChangeDate) = (today, today, today)
        expiredate = today.addingMonths(1)
    }

    /// Statuses that still hold the IP for their tariff.
    var isLive: Bool {
        [1, 2, 3, 5].contains(status)
    }

    var listFields: [(String, String)] {
        [
            ("id", String(id)), ("licname", licname), ("ip", ip), ("pricelist", pricelist), ("period", period),
            ("status", String(status)), ("createdate", createdate.description),
            ("expiredate", expiredate.description), ("autoprolong", autoprolong), ("remoteid", remoteid),
        ]
    }

    /// A row of the `soft` list as `dialect` words it: under `tariff-names` the tariff by its
    /// name; under `bm6-columns` BILLmanager 6's columns, with the change dates and no `remoteid`.
    func listFields(_ dialect: Dialect) -> [(String, String)] {
        let tariff = dialect.contains(.tariffNames) ? Catalogue.tariff(pricelist)?.name ?? pricelist : pricelist
        guard dialect.contains(.bm6Columns) else {
            return listFields.map { $0.0 == "pricelist" ? ($0.0, tariff) : $0 }
        }
        let cost = Catalogue.tariff(pricelist)?.period(period).map { Money.format($0.cost) } ?? ""
        // BILLmanager 6 documents softexternal's status column as `item_status`.
        let statusColumn = Catalogue.family(ofTariff: pricelist) == "softexternal" ? "item_status" : "status"
        return [
            ("id", String(id)), ("licname", licname), ("ip", ip), ("period", period),
            ("update_expiredate", expiredate.description), ("real_ipchange", ipChangeDate.description),
            ("real_keychange", lickeyChangeDate.description), ("pricelist", tariff), ("account", "reseller"),
            ("project", "1"), ("createdate", createdate.description), ("expiredate", expiredate.description),
            ("autoprolong", autoprolong), (statusColumn, String(status)), ("special_status", "0"),
            ("status_msg", ""), ("item", String(id)), ("cost", cost),
        ]
    }

    /// A row of the list as `dialect` writes it, `worded` cells included.
    func listElem(_ dialect: Dialect) -> Elem {
        var elem = Elem.fields(listFields(dialect))
        if dialect.contains(.worded) { elem.children = elem.children.map(worded) }
        return elem
    }

    /// A cell as the web interface shows it: the code as `$orig` beside its word (a date beside
    /// `DD.MM.YYYY`), or for softexternal's undocumented `item_status` the word alone.
    private func worded(_ cell: (String, Elem)) -> (String, Elem) {
        let (name, value) = cell
        switch name {
        case "status": return (name, Elem(attributes: [("orig", value.text)], text: Self.statusWords[status] ?? ""))
        case "item_status": return (name, .text(Self.statusWords[status] ?? ""))
        case "period": return (name, Elem(attributes: [("orig", value.text)], text: Self.periodWords(value.text)))
        case "createdate", "expiredate":
            // As a Russian interface shows a date: day first.
            let parts = value.text.split(separator: "-")
            return (name, Elem(attributes: [("orig", value.text)], text: parts.reversed().joined(separator: ".")))
        default: return cell
        }
    }

    static let statusWords = [1: "Ordered", 2: "Active", 3: "Suspended", 4: "Deleted", 5: "Processing"]

    static func periodWords(_ id: String) -> String {
        switch Int(id) {
        case 0: "Lifetime"
        case -100: "Trial"
        case -50: "1 day"
        case 1: "1 month"
        case 12: "1 year"
        case let months?: "\(months) months"
        case nil: id
        }
    }

    /// The edit form as `dialect` words it: under `tariff-names` the tariff is a select, its
    /// value the id and its options listed beside it, as every select of a form is.
    func viewElems(_ dialect: Dialect) -> [(String, Elem)] {
        var fields = viewFields
        if dialect.contains(.bm6Columns) { fields.removeAll { $0.0 == "remoteid" } }
        if dialect.contains(.bareForms) { fields.removeAll { $0.0 == "status" } }
        var elems = fields.map { ($0.0, Elem.text($0.1)) }
        if dialect.contains(.worded) {
            elems = elems.map { $0.0 == "status" ? worded($0) : $0 }
        }
        if dialect.contains(.tariffNames) {
            elems.append(("slist", Catalogue.tariffOptions(of: pricelist)))
            elems.append(
                (
                    "slist",
                    Elem(
                        attributes: [("name", "autoprolong")],
                        children: [("null", "off"), ("1", "1 month"), ("12", "1 year")].map {
                            ("val", Elem(attributes: [("key", $0.0)], text: $0.1))
                        })
                ))
        }
        return elems
    }

    var viewFields: [(String, String)] {
        listFields + [
            ("lickey", lickey), ("ip_change_date", ipChangeDate.description),
            ("lickey_change_date", lickeyChangeDate.description),
        ]
    }

    var stateJSON: DocJSON {
        .object(viewFields.map { ($0.0, .string($0.1)) } + [("noprolong", .bool(noprolong))])
    }

    // Computed, not stored: key paths are not Sendable, so a shared table would not pass strict concurrency.
    private static var textFields: [String: WritableKeyPath<License, String>] {
        [
            "licname": \.licname, "ip": \.ip, "pricelist": \.pricelist, "period": \.period,
            "autoprolong": \.autoprolong, "remoteid": \.remoteid, "lickey": \.lickey,
        ]
    }
    private static var dateFields: [String: WritableKeyPath<License, Day>] {
        [
            "createdate": \.createdate, "expiredate": \.expiredate,
            "ip_change_date": \.ipChangeDate, "lickey_change_date": \.lickeyChangeDate,
        ]
    }

    /// Applies a test's seed object. Unknown keys are refused so a typo cannot silently seed a default.
    mutating func apply(seed: [String: String]) throws(ControlError) {
        for (key, value) in seed where key != "id" {
            if let path = Self.textFields[key] {
                self[keyPath: path] = value
            } else if let path = Self.dateFields[key] {
                guard let day = Day(value) else { throw ControlError("\(key) must be YYYY-MM-DD, not \(value)") }
                self[keyPath: path] = day
            } else if key == "status" {
                guard let code = Int(value), (1...5).contains(code) else { throw ControlError("status must be 1...5") }
                status = code
            } else if key == "noprolong" {
                noprolong = ["true", "on", "1", "yes"].contains(value.lowercased())
            } else {
                throw ControlError("unknown license field \(key)")
            }
        }
    }
}

/// Sixteen digits per draw from the system's generator, not one: seeding 100,000 licenses
/// made a getrandom call per digit of their keys.
func randomHex(_ count: Int) -> String {
    var digits = ""
    while digits.count < count {
        let word = String(UInt64.random(in: .min ... .max), radix: 16)
        digits += String(repeating: "0", count: 16 - word.count) + word
    }
    return String(digits.prefix(count))
}
