import FoundationEssentials
import LicmgrCore

/// The input is one cell's text, written into every cell of the remote's answers that is read
/// in more than one shape (a status or a date worded for a person, `$orig` beside a word, a
/// cost or a balance written with blanks, commas and a currency, an order's id nested or not,
/// a catalogue flag, an error in an array), each read through the public call that reads it.
/// Beyond not crashing, each reading keeps its promise: what it reads is what the text says,
/// and what it cannot read is an error naming the license and the field, never a guess.
enum CellsHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let text = text(bytes) else { return }
        let cell = Harness.jsonString(text)
        statuses(text, cell)
        dates(text, cell)
        orders(text, cell)
        catalogue(text, cell)
        balance(text, cell)
        errors(cell)
    }

    // MARK: statuses

    private static func statuses(_ text: String, _ cell: String) {
        let trimmed = text.trimmingBlanks()
        for (field, value) in [
            ("status", cell), ("item_status", cell), ("status", #"{"$orig": \#(cell), "$": "Active"}"#),
        ] {
            let row = #"{"id": "7", "\#(field)": \#(value)}"#
            switch listed(row) {
            case .success(let license):
                if let code = Int(trimmed) {
                    require(
                        license.status.rawValue == code, "\(field) \(text.debugDescription) read as \(license.status)")
                }
                if let named = statusNames[trimmed.lowercased()] {
                    require(license.status == named, "\(field) \(text.debugDescription) read as \(license.status)")
                }
            case .failure(let error):
                namesField(error, "license 7", field, text)
            }
        }
        // A form may say no status at all, and then says so rather than a placeholder.
        if case .success(let license) = viewed(#"{"id": "7", "licname": \#(cell)}"#) {
            require(license.statusUnsaid, "a form without a status read as \(license.status)")
        }
    }

    private static let statusNames: [String: License.Status] = [
        "ordered": .ordered, "active": .active, "suspended": .suspended, "deleted": .deleted,
        "processing": .processing, "активна": .active, "удалена": .deleted, "приостановлена": .suspended,
    ]

    // MARK: dates

    private static func dates(_ text: String, _ cell: String) {
        let expected = dateOracle(text)
        for field in ["expiredate", "createdate", "real_ipchange", "real_keychange"] {
            let row = #"{"id": "7", "status": "2", "\#(field)": \#(cell)}"#
            let read = listed(row).map { license -> Day? in
                switch field {
                case "expiredate": license.expires
                case "createdate": license.created
                case "real_ipchange": license.ipChanged
                default: license.keyChanged
                }
            }
            switch (read, expected) {
            case (.success(let day), .said(let said)):
                require(day == said, "\(field) \(text.debugDescription) read as \(day as Any), not \(said as Any)")
            case (.success(let day), .unreadable):
                require(false, "\(field) \(text.debugDescription) is no date, yet read as \(day as Any)")
            case (.failure(let error), .unreadable):
                namesField(error, "license 7", field, text)
            case (.failure(let error), .said):
                // Refusing a date is no harm where the text is more than ASCII (a mark joined to a blank).
                require(
                    !text.utf8.allSatisfy { $0 < 0x80 }, "\(field) \(text.debugDescription) is a date, yet: \(error)")
            }
            if case .success(let day?) = read {
                require(Day(day.description) == day, "\(day) does not read back")
            }
        }
        // `$orig` first, the worded text beside it only where `$orig` says no date it can read.
        let worded = Day(year: 2027, month: 1, day: 31)
        let beside = listed(#"{"id": "7", "status": "2", "expiredate": {"$orig": \#(cell), "$": "31.01.2027"}}"#)
        switch (beside.map(\.expires), expected) {
        case (.success(let day), .said(let said?)):
            require(day == said, "$orig \(text.debugDescription): \(day as Any)")
        case (.success(let day), _):
            require(day == worded, "$orig \(text.debugDescription) beside a date: \(day as Any)")
        case (.failure(let error), _): require(false, "$orig \(text.debugDescription) beside a date: \(error)")
        }
        // A renewal's answer is done whatever its date says: read as the text says, or not at all.
        for body in [#"{"doc": {"doc": {"newexpiredate": \#(cell)}}}"#, #"{"doc": {"newexpiredate": \#(cell)}}"#] {
            if case .success(let day?) = call(
                body, { client throws(RemoteError) in try client.prolong(license: 7, period: 12) })
            {
                require(expected == .said(day), "newexpiredate \(text.debugDescription) read as \(day)")
            }
        }
    }

    private enum DateReading: Equatable {
        case said(Day?)
        case unreadable
    }

    /// What a date cell says, read apart from the reader: a blank, zeros or a dash say none;
    /// `YYYY-MM-DD` and `DD.MM.YYYY`, alone or before a blank (a time), or `YYYY-MM-DDT…`, a day
    /// of the calendar.
    private static func dateOracle(_ text: String) -> DateReading {
        let trimmed = text.trimmingBlanks()
        if trimmed.allSatisfy({ "0-: ".contains($0) }) || trimmed == "—" || trimmed == "–" { return .said(nil) }
        let bytes = Array(trimmed.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (48...57).contains($0) }) else {
                return nil
            }
            return bytes[range].reduce(0) { $0 * 10 + Int($1) - 48 }
        }
        func at(_ index: Int, _ character: Character) -> Bool {
            index < bytes.count && bytes[index] == character.asciiValue!
        }
        let ends = bytes.count == 10 || at(10, " ")
        if let y = digits(0..<4), at(4, "-"), let m = digits(5..<7), at(7, "-"), let d = digits(8..<10),
            ends || at(10, "T"), let day = Day(year: y, month: m, day: d)
        {
            return .said(day)
        }
        if let d = digits(0..<2), at(2, "."), let m = digits(3..<5), at(5, "."), let y = digits(6..<10), ends,
            let day = Day(year: y, month: m, day: d)
        {
            return .said(day)
        }
        return .unreadable
    }

    // MARK: orders

    private static func orders(_ text: String, _ cell: String) {
        let said = Int(text.trimmingBlanks())
        for body in [
            #"{"doc": {"id": \#(cell)}}"#, #"{"doc": {"doc": {"id": \#(cell)}}}"#, #"{"doc": {"item.id": \#(cell)}}"#,
            #"{"doc": {"doc": {"item.id": \#(cell)}, "elid": "99"}}"#,
        ] {
            switch call(body, { client throws(RemoteError) in try client.order(order) }) {
            case .success(let id):
                require(id == said && id > 0, "an order's id \(text.debugDescription) read as \(id)")
            case .failure(let error):
                require(said.map { $0 <= 0 } ?? true, "an order's id \(text.debugDescription) not read: \(error)")
            }
        }
    }

    private static let order = OrderRequest(pricelist: 1, period: 1, ip: "192.0.2.1", name: "n", remoteID: "r")

    // MARK: catalogue

    private static func catalogue(_ text: String, _ cell: String) {
        let tariff = #"{"id": "1", "price": {"$currency": "RUB", "period": "#
        for period in [
            #"{"$type": "month", "$length": "1", "$cost": \#(cell)}"#,
            #"{"$type": "month", "$length": "1", "cost": \#(cell)}"#,
        ] {
            let body = #"{"doc": {"pricelist": \#(tariff)\#(period)}}}}"#
            guard case .success(let tariffs) = call(body, { client throws(RemoteError) in try client.exportTariffs() })
            else { require(false, "a cost \(text.debugDescription) refused the catalogue"); return }
            for cost in tariffs.flatMap(\.periods).map(\.cost) { costKept(cost, written: text) }
        }
        let active = call(#"{"doc": {"pricelist": {"id": "1", "active": \#(cell)}}}"#) {
            client throws(RemoteError) in try client.exportTariffs()
        }
        let flag = text.trimmingBlanks().lowercased()
        switch active {
        case .success(let tariffs):
            let sold = tariffs.first?.active
            require(
                flag.isEmpty || (["on", "yes", "true", "1"].contains(flag) ? sold == true : sold == false),
                "active \(text.debugDescription) read as \(sold as Any)")
            require(
                flag.isEmpty || ["on", "yes", "true", "1", "off", "no", "false", "0"].contains(flag),
                "active \(text.debugDescription) read at all")
        case .failure(let error):
            namesField(error, "tariff 1", "active", text)
        }
        // BILLmanager 6 numbers the item type and names it beside.
        if case .success(let tariffs) = call(
            #"{"doc": {"pricelist": {"id": "1", "itemtype": "12", "itemtype_info": {"intname": \#(cell)}}}}"#,
            { client throws(RemoteError) in try client.exportTariffs() })
        {
            let type = tariffs.first?.itemType
            require(
                type == (text.isEmpty ? "12" : text), "itemtype_info \(text.debugDescription) read as \(type as Any)")
        }
    }

    /// A cost is kept as written, or rewritten as the same amount in plain form: every digit the
    /// text holds in the same order, nothing signed, and only where no reading as a thousands
    /// mark competes (`1,490` and `1.490` say a thousand as well as a price).
    private static func costKept(_ cost: String, written text: String) {
        let trimmed = text.trimmingBlanks()
        guard cost != trimmed, let price = Money.price(cost) else { return }
        let said = "a cost \(text.debugDescription) read as \(cost)"
        require(Money.price(trimmed) == nil, "\(said), plain as it was")
        require(
            trimmed.filter(\.isNumber) == cost.filter(\.isNumber), "\(said): its digits are not the text's")
        require(!trimmed.contains(where: minusSigns.contains), "\(said): the text has a sign")
        // One mark between the digits with three digits after it: a decimal or a thousands mark.
        let number = trimmed.drop { !$0.isNumber }.reversed().drop { !$0.isNumber }.reversed()
        let marks = number.filter { ".,".contains($0) }
        if marks.count == 1, !number.contains(where: \.isWhitespace),
            number.split(whereSeparator: { ".,".contains($0) }).last?.count == 3
        {
            require(false, "\(said): \(String(number)) may as well be a thousands mark")
        }
        require(price >= 0, "\(said): \(price)")
    }

    /// The ways a text may write a minus: ASCII's, Unicode's minus sign, the dashes a person
    /// types in its place.
    static let minusSigns: Set<Character> = [
        "-", "\u{2212}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{FE63}", "\u{FF0D}",
    ]

    // MARK: balances

    private static func balance(_ text: String, _ cell: String) {
        let body = #"{"doc": {"elem": {"balance": \#(cell), "currency": "RUB"}}}"#
        guard case .success(let balances) = call(body, { client throws(RemoteError) in try client.balances() }),
            let amount = balances.first?.amount
        else { return }
        // A debt read as credit would let licmgr spend what the account does not hold.
        let trimmed = text.trimmingBlanks()
        if let first = trimmed.firstIndex(where: \.isNumber), trimmed[..<first].contains(where: minusSigns.contains) {
            require(amount <= 0, "a balance \(text.debugDescription) read as \(amount)")
        }
    }

    // MARK: errors

    /// An error, one or the first of several, is a refusal whatever call it answers.
    private static func errors(_ cell: String) {
        for error in [
            #"{"$type": \#(cell), "msg": "x"}"#, #"[{"$type": "missing", "msg": \#(cell)}, {"$type": "auth"}]"#,
            #"[{"$type": \#(cell), "msg": {"$": \#(cell)}}]"#,
        ] {
            let body = #"{"doc": {"error": \#(error), "id": "5", "elem": [], "p_elems": "0"}}"#
            for result in [
                call(body) { client throws(RemoteError) in _ = try client.order(order) },
                call(body) { client throws(RemoteError) in _ = try client.listLicenses(lines: [.soft]) },
            ] {
                switch result {
                case .success: require(false, "an error \(error) read as an answer")
                case .failure(.refused), .failure(.authRefused): break
                case .failure(let other): require(false, "an error \(error) read as \(other)")
                }
            }
        }
    }

    // MARK: the client

    private static func call<T>(_ body: String, _ make: (BillmgrClient) throws(RemoteError) -> T) -> Result<
        T, RemoteError
    > {
        let client = BillmgrClient(
            credentials: Credentials(url: "https://billing.invalid/billmgr", user: "fuzz", password: "pw"),
            transport: Echo(reply: HTTPReply(status: 200, body: Data(body.utf8))), pageSize: 2, maxPages: 3,
            sessionAfter: 0)
        do throws(RemoteError) {
            return .success(try make(client))
        } catch {
            return .failure(error)
        }
    }

    /// The license of a list of one row.
    private static func listed(_ row: String) -> Result<License, RemoteError> {
        let body = #"{"doc": {"p_elems": "1", "p_cnt": "2", "elem": [\#(row)]}}"#
        return call(body) { client throws(RemoteError) in
            let licenses = try client.listLicenses(lines: [.soft])
            require(licenses.count == 1 && licenses[0].id == 7, "one row listed as \(licenses)")
            return licenses[0]
        }
    }

    private static func viewed(_ form: String) -> Result<License, RemoteError> {
        call(#"{"doc": \#(form)}"#) { client throws(RemoteError) in try client.viewLicense(7, line: .soft) }
    }

    /// A refusal to read a cell says which license or tariff and which field, and what was written.
    private static func namesField(_ error: RemoteError, _ owner: String, _ field: String, _ text: String) {
        let said = error.description
        guard case .notProtocol = error, said.contains(owner), said.contains(field) else {
            require(false, "\(field) \(text.debugDescription) refused without naming it: \(said)")
            return
        }
    }

}

/// Answers every request with the same reply.
struct Echo: HTTPTransport {
    let reply: HTTPReply

    func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply { reply }
}
