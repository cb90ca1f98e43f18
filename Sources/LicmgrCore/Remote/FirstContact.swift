import FoundationEssentials

/// What the remote's answers showed at first contact, in three kinds: what licmgr reads as the
/// remote writes it, what it has to infer or take from elsewhere (it works, but not as plainly),
/// and what it cannot read although money depends on it.
public struct FirstContactReport: Sendable, Equatable {
    public var understood: [String] = []
    public var inferred: [String] = []
    public var unreadable: [String] = []
    /// The first balance the account shows, as licmgr reads it.
    public var balance: AccountBalance?
    /// The catalogue's currency, when it names one.
    public var currency: String?
    /// The catalogue as licmgr's reader reads it; empty when it cannot.
    public var tariffs: [Tariff] = []
    /// How many tariffs the catalogue lists, read or not.
    public var tariffCount = 0
    /// Rows of the first page of each listing read.
    public var licensesSeen = 0
    /// The listing families read.
    public var families: [ProductLine] = []
    /// The license viewed, if the account has one.
    public var viewed: Int?
    /// Whether `func=auth` gave a session the remote then took on a call.
    public var sessions = false
    /// The most decimals an amount of the catalogue or the balance is written with.
    public var moneyDecimals: Int?

    public init() {}

    /// Nothing that money depends on is unreadable.
    public var ok: Bool { unreadable.isEmpty }
}

/// The probe a provider runs before the first order (`config check --remote`): it logs in both
/// ways, reads the balance, the catalogue, one page of each listing family licmgr will use and
/// one license, and tells how each answer reads. It sends reads only (no `sok`, no order, edit
/// or renewal): the remote is left as it was.
public struct FirstContact {
    public var credentials: Credentials
    public var transport: any HTTPTransport
    /// The tariffs the config names: their families are listed, and what cannot be read of
    /// them counts against money.
    public var configTariffs: Set<Int>

    public init(credentials: Credentials, transport: any HTTPTransport, configTariffs: Set<Int> = []) {
        self.credentials = credentials
        self.transport = transport
        self.configTariffs = configTariffs
    }

    /// Runs the probe. Throws what stops it from talking to the remote at all: credentials
    /// refused, the remote unreachable, an answer outside the protocol.
    public func run() throws(RemoteError) -> FirstContactReport {
        var report = FirstContactReport()
        let replies = Replies(wrapping: transport)
        // The password on every call, as a short run sends it; the session is tried on its own.
        let client = BillmgrClient(credentials: credentials, transport: replies, sessionAfter: .max)

        do {
            let balances = try client.balances()
            report.understood.append("login: authinfo accepted")
            report.readBalance(try replies.doc("subaccount"), readings: balances)
        } catch {
            guard case .refused(_, let type, _, let message, _) = error else { throw error }
            report.understood.append("login: authinfo accepted")
            report.unreadable.append("balance: subaccount refused (\(type): \(message))")
        }

        try checkSessions(&report)

        var catalogue = CatalogueShape()
        do {
            report.tariffs = try client.exportTariffs()
        } catch {
            switch error {
            case .notProtocol(_, let detail): report.unreadable.append("catalogue: \(detail)")
            case .refused(_, let type, _, let message, _):
                report.unreadable.append("catalogue: pricelist.export refused (\(type): \(message))")
            default: throw error
            }
        }
        if let doc = try? replies.doc("pricelist.export") {
            catalogue = report.readCatalogue(doc, configTariffs: configTariffs)
        }

        let configLines = Set(configTariffs.compactMap { catalogue.family(of: $0) ?? ProductLine.knownTariffs[$0] })
        let lines = configLines.union(catalogue.families).union([.soft])
        report.families = lines.sorted()
        var listings: [ListingShape] = []
        for line in report.families {
            let function = line.function("soft")
            do {
                let first = try client.call(
                    function, [("p_cnt", String(client.pageSize)), ("p_num", "1")], reading: true)
                let second =
                    ListingShape.needsSecondPage(first)
                    ? try client.call(function, [("p_cnt", String(client.pageSize)), ("p_num", "2")], reading: true)
                    : nil
                listings.append(ListingShape(line: line, first: first, second: second, asked: client.pageSize))
            } catch {
                guard case .refused(_, let type, _, let message, _) = error else { throw error }
                let used = line == .soft || configLines.contains(line)
                let text = "\(function) list refused (\(type): \(message))"
                if used {
                    report.unreadable.append(text)
                } else {
                    report.inferred.append("\(text); licenses of that family are not followed")
                }
            }
        }

        var view: ViewShape?
        if let listing = listings.first(where: { $0.firstID != nil }), let id = listing.firstID {
            let function = listing.line.function("soft.edit")
            do {
                view = ViewShape(
                    id: id, function: function, doc: try client.call(function, [("elid", String(id))], reading: true))
            } catch {
                guard case .refused(_, let type, _, let message, _) = error else { throw error }
                report.inferred.append(
                    "license \(id): \(function) refused (\(type): \(message)); keys and change dates unread")
            }
        }
        report.conclude(listings: listings, view: view, catalogue: catalogue)
        return report
    }

    /// Logs in with `func=auth` and makes one call with the session it gives, as a long run would.
    private func checkSessions(_ report: inout FirstContactReport) throws(RemoteError) {
        let login = FormEncoding.encode([
            ("func", "auth"), ("out", "json"), ("username", credentials.user), ("password", credentials.password),
        ])
        let fallback = "authinfo is sent on every call"
        var answer: Answer
        do {
            answer = try exchange(login, function: "auth", session: nil)
        } catch {
            // A remote that cannot give sessions still works: licmgr sends the password instead.
            guard case .notProtocol(_, let detail) = error else { throw error }
            report.inferred.append("sessions: func=auth answered outside the protocol (\(detail)); \(fallback)")
            return
        }
        guard case .doc(let doc) = answer else {
            if case .refused(let type, let message) = answer {
                report.inferred.append("sessions: func=auth refused (\(type): \(message)); \(fallback)")
            }
            return
        }
        guard let id = doc["auth"].attribute("id") ?? doc["auth"].text, !id.isEmpty else {
            report.inferred.append("sessions: func=auth answered no session id; \(fallback)")
            return
        }
        do {
            answer = try exchange(
                FormEncoding.encode([("func", "subaccount"), ("out", "json"), ("auth", id)]), function: "subaccount",
                session: id)
        } catch {
            guard case .notProtocol(_, let detail) = error else { throw error }
            report.inferred.append(
                "sessions: a call with the session func=auth gave answered outside the protocol (\(detail)); \(fallback)"
            )
            return
        }
        switch answer {
        case .doc:
            report.sessions = true
            report.understood.append("sessions: func=auth works; its session was accepted on a call")
        case .refused(let type, let message):
            report.inferred.append(
                "sessions: the session func=auth gave was refused on a call (\(type): \(message)); \(fallback)")
        }
    }

    private enum Answer {
        case doc(DocNode)
        case refused(type: String, message: String)
    }

    /// One form sent as is, for the calls BillmgrClient makes only on its own terms.
    private func exchange(_ form: String, function: String, session: String?) throws(RemoteError) -> Answer {
        let redaction = Redaction(
            secret: credentials.password, field: "password",
            then: Redaction(secret: session ?? "", field: "auth"))
        let reply = try transport.post(
            url: credentials.url, request: HTTPForm(form: form, function: function, once: false))
        if reply.status >= 500 { throw .serverFailure(function: function, status: reply.status) }
        guard reply.status == 200 else { throw .notProtocol(function: function, detail: "HTTP \(reply.status)") }
        let doc = try DocNode.parse(reply.body, function: function, redacting: redaction)
        let error = doc["error"]
        guard error.exists else { return .doc(doc) }
        return .refused(
            type: error.attribute("type") ?? "unknown",
            message: redaction.apply(error["msg"].text ?? error.text ?? "no message"))
    }
}

/// The last answer to each function, so that the probe reads the raw shape of what licmgr's own
/// readers just read. Used from the probe's one thread.
private final class Replies: HTTPTransport, @unchecked Sendable {
    let inner: any HTTPTransport
    private var last: [String: HTTPReply] = [:]

    init(wrapping inner: any HTTPTransport) { self.inner = inner }

    func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply {
        try post(url: url, request: HTTPForm(form: form, function: function))
    }

    func post(url: String, request: HTTPForm) throws(RemoteError) -> HTTPReply {
        let reply = try inner.post(url: url, request: request)
        last[request.function] = reply
        return reply
    }

    func doc(_ function: String) throws(RemoteError) -> DocNode {
        guard let reply = last[function] else { throw .notProtocol(function: function, detail: "no answer") }
        return try DocNode.parse(reply.body, function: function)
    }
}

/// The catalogue as the probe saw it: each tariff's id, name and family.
struct CatalogueShape {
    struct Entry {
        var id: Int?
        var name: String?
        var family: ProductLine?
    }

    var entries: [Entry] = []

    func family(of id: Int) -> ProductLine? {
        entries.first { $0.id == id }?.family
    }

    var families: Set<ProductLine> { Set(entries.compactMap(\.family)) }

    /// The ids of the tariffs named exactly `name`.
    func ids(named name: String) -> [Int] {
        entries.filter { $0.name == name }.compactMap(\.id)
    }

    /// The family an item type names: `soft`, `softexternal`, `platform`; nil for any other.
    static func family(named name: String) -> ProductLine? {
        ProductLine(rawValue: name.trimmingBlanks().lowercased())
    }
}

/// The first page (and, when it cannot tell, the second) of one family's list.
struct ListingShape {
    var line: ProductLine
    var rows: Int
    var firstID: Int?
    var withoutID = 0
    var numericTariffs = 0
    var tariffNames: [String] = []
    var withoutTariff = 0
    var withRemoteID = 0
    var withChangeDates = 0
    var badStatus: [(id: String, text: String)] = []
    var badExpiry: [(id: String, text: String)] = []
    var claimed: Int?
    var reportedPageSize: Int?
    var asked: Int
    /// Rows of page 2 that page 1 did not have; nil when page 2 was not read.
    var newOnSecondPage: Int?

    /// Page 1 alone cannot tell a `p_elems` that counts the list from one that counts the page
    /// when the two agree: page 2 then tells.
    static func needsSecondPage(_ first: DocNode) -> Bool {
        let rows = first["elem"].elements.count
        return rows > 0 && (first.int("p_elems") ?? rows) == rows
    }

    init(line: ProductLine, first: DocNode, second: DocNode?, asked: Int) {
        self.line = line
        self.asked = asked
        let rows = first["elem"].elements
        self.rows = rows.count
        claimed = first.int("p_elems")
        reportedPageSize = first.int("p_cnt")
        var ids = Set<Int>()
        for row in rows {
            let id = row.int("id") ?? row.int("elid")
            if let id {
                ids.insert(id)
                if firstID == nil { firstID = id }
            } else {
                withoutID += 1
            }
            let label = id.map(String.init) ?? "without an id"
            if BillmgrClient.code("pricelist", of: row) != nil || row.int("pricelist_id") != nil {
                numericTariffs += 1
            } else if let name = row["pricelist"].text {
                if !tariffNames.contains(name) { tariffNames.append(name) }
            } else {
                withoutTariff += 1
            }
            if row["remoteid"].exists { withRemoteID += 1 }
            if row["real_ipchange"].exists || row["real_keychange"].exists { withChangeDates += 1 }
            let reading = BillmgrClient.statusReading(of: row)
            if reading?.status == nil {
                badStatus.append((label, reading.map { $0.written } ?? "absent"))
            }
            // Only a license that is paid for and running renews: an order still in the works may
            // have no expiry yet.
            let expiry = row["expiredate"].text
            if [.active, .suspended].contains(reading?.status),
                (try? BillmgrClient.day("expiredate", of: row, function: "soft", license: id ?? 0)) ?? nil == nil
            {
                badExpiry.append((label, expiry ?? "absent"))
            }
        }
        if let second {
            newOnSecondPage =
                second["elem"].elements.compactMap { $0.int("id") ?? $0.int("elid") }
                .filter { !ids.contains($0) }.count
        }
    }
}

/// One license's view (`soft.edit` without `sok`).
struct ViewShape {
    var id: Int
    var function: String
    var tariff: Int?
    var key: Bool
    var ipChanged: Bool
    var keyChanged: Bool

    init(id: Int, function: String, doc: DocNode) {
        self.id = id
        self.function = function
        tariff = doc.int("pricelist") ?? doc.int("pricelist_id")
        key = doc["lickey"].exists
        ipChanged = doc["ip_change_date"].text.flatMap(Day.init) != nil
        keyChanged = doc["lickey_change_date"].text.flatMap(Day.init) != nil
    }
}

extension FirstContactReport {
    /// `subaccount`: the balance licmgr reads, and how it is written.
    mutating func readBalance(_ doc: DocNode, readings: [AccountBalance]) {
        var rows = doc["elem"].elements
        if rows.isEmpty, doc["balance"].exists { rows = [doc] }
        guard let reading = readings.first else {
            let shown = rows.first?["balance"].text.map { " (it shows '\($0)')" } ?? ""
            unreadable.append("balance: subaccount gives no balance licmgr can read\(shown)")
            return
        }
        balance = reading
        let of = readings.count > 1 ? " (the first of \(readings.count) subaccounts)" : ""
        understood.append("balance: \(Money.format(reading.amount))\(reading.currency.map { " \($0)" } ?? "")\(of)")
        if let text = rows.first?["balance"].text { noteDecimals(text) }
    }

    /// `pricelist.export`: ids, item types, currency and costs.
    mutating func readCatalogue(_ doc: DocNode, configTariffs: Set<Int>) -> CatalogueShape {
        var shape = CatalogueShape()
        let nodes = doc["pricelist"].elements
        tariffCount = nodes.count
        var itemTypeNames = 0
        var itemTypeIDs = 0
        var unknown: [(id: Int?, itemType: String)] = []
        var currencies: [String] = []
        var missingCost: [String] = []
        var badCost: [String] = []
        for node in nodes {
            let id = node.int("id")
            let itemType = node["itemtype"].text ?? ""
            var family: ProductLine?
            if !itemType.isEmpty, itemType.allSatisfy(\.isASCIIDigit) {
                itemTypeIDs += 1
                let info = node["itemtype_info"]
                family = (info["intname"].text ?? info.attribute("intname")).flatMap(CatalogueShape.family(named:))
            } else {
                itemTypeNames += 1
                family = CatalogueShape.family(named: itemType)
            }
            if family == nil { unknown.append((id, itemType.isEmpty ? "none" : itemType)) }
            shape.entries.append(.init(id: id, name: node["name"].text, family: family))
            let price = node["price"]
            if let currency = price.attribute("currency"), !currencies.contains(currency) {
                currencies.append(currency)
            }
            for period in price["period"].elements {
                let label =
                    "tariff \(id.map(String.init) ?? "?") period \(period.text ?? period.attribute("type") ?? "?")"
                guard let written = period.attribute("cost") ?? period["cost"].text else {
                    missingCost.append(label)
                    continue
                }
                // Read as import-tariffs reads it: an amount written for a person is no fault.
                let cost = BillmgrClient.cost(written)
                noteDecimals(cost)
                if Money.price(cost) == nil { badCost.append("'\(written)' (\(label))") }
            }
        }
        let withoutID = nodes.filter { $0.int("id") == nil }
        if !withoutID.isEmpty {
            unreadable.append(
                "catalogue: \(withoutID.count) tariff(s) without a numeric id, e.g. '\(withoutID[0]["name"].text ?? "?")'"
            )
        }
        var line = "catalogue: \(nodes.count) tariffs"
        if currencies.count == 1 { line += " in \(currencies[0])" }
        understood.append(line)
        currency = currencies.count == 1 ? currencies[0] : nil
        if currencies.isEmpty && !nodes.isEmpty {
            inferred.append("catalogue: no price names its currency; totals are shown without one")
        } else if currencies.count > 1 {
            inferred.append(
                "catalogue: prices in \(currencies.joined(separator: ", ")); totals and SpendLimit need one currency")
        }
        if itemTypeIDs > 0 && unknown.count < itemTypeIDs {
            understood.append("catalogue item types are ids; families read from itemtype_info")
        }
        if itemTypeNames > 0 && unknown.count < nodes.count {
            understood.append("catalogue item types are names (soft, softexternal, platform)")
        }
        let used = unknown.filter { $0.id.map(configTariffs.contains) ?? false }
        for tariff in used {
            unreadable.append(
                "catalogue: tariff \(tariff.id!), named by the config, is of item type '\(tariff.itemType)', which names no family licmgr knows"
            )
        }
        let others = unknown.filter { !($0.id.map(configTariffs.contains) ?? false) }
        if !others.isEmpty {
            let types = Set(others.map(\.itemType)).sorted().joined(separator: ", ")
            inferred.append(
                "catalogue: \(others.count) tariff(s) of item types that name no family licmgr knows (\(types)); licmgr will not order them"
            )
        }
        if !badCost.isEmpty {
            unreadable.append("catalogue: \(badCost.count) cost(s) licmgr cannot read, e.g. \(badCost[0])")
        }
        if !missingCost.isEmpty {
            inferred.append(
                "catalogue: \(missingCost.count) period(s) without a cost, e.g. \(missingCost[0]); dry runs and SpendLimit count them as unknown"
            )
        }
        return shape
    }

    /// How the lists and the view read together: ids, tariffs, remote ids, dates, paging.
    mutating func conclude(listings: [ListingShape], view: ViewShape?, catalogue: CatalogueShape) {
        switch moneyDecimals {
        case nil: break
        case 0: understood.append("money has no decimals")
        case 1: understood.append("money has 1 decimal")
        case let decimals?: understood.append("money has \(decimals) decimals")
        }
        for listing in listings {
            licensesSeen += listing.rows + (listing.newOnSecondPage ?? 0)
            readPaging(listing)
            let list = "\(listing.line.function("soft")) list"
            if listing.withoutID > 0 {
                unreadable.append("\(list): \(listing.withoutID) of \(listing.rows) rows carry no id")
            }
            if let bad = listing.badStatus.first {
                unreadable.append(
                    "\(list): \(listing.badStatus.count) row(s) with a status licmgr does not know, e.g. license \(bad.id): '\(bad.text)'"
                )
            }
            if let bad = listing.badExpiry.first {
                unreadable.append(
                    "\(list): \(listing.badExpiry.count) active or suspended license(s) without a readable expiredate, e.g. license \(bad.id): '\(bad.text)'"
                )
            }
        }
        let rows = listings.reduce(0) { $0 + $1.rows }
        guard rows > 0 else {
            inferred.append(
                "no license on the account yet: how list rows and views read is unknown until one exists (check again after the first order)"
            )
            return
        }
        readTariffs(listings, view: view, catalogue: catalogue)
        let withRemoteID = listings.reduce(0) { $0 + $1.withRemoteID }
        if withRemoteID == rows {
            understood.append("list rows carry remoteid")
        } else {
            inferred.append(
                "list rows carry no remoteid (\(rows - withRemoteID) of \(rows)); orders in doubt are settled by name and IP"
            )
        }
        if listings.reduce(0, { $0 + $1.withChangeDates }) > 0 {
            understood.append("change dates come from the list (real_ipchange, real_keychange)")
        } else if let view, view.ipChanged || view.keyChanged {
            inferred.append("change dates come from views only (ip_change_date, lickey_change_date)")
        } else if view != nil {
            inferred.append("no change dates in list rows or views: the free pool's month of rest cannot be checked")
        }
        if let view {
            viewed = view.id
            let read = [
                view.key ? "key" : nil, view.tariff != nil ? "tariff id" : nil,
                view.ipChanged || view.keyChanged ? "change dates" : nil,
            ].compactMap { $0 }
            understood.append(
                "license \(view.id) viewed (\(view.function))"
                    + (read.isEmpty ? "" : ": \(read.joined(separator: ", ")) read"))
            if !view.key { inferred.append("license \(view.id): the view carries no lickey; keys cannot be shown") }
        }
    }

    /// Tariff ids in rows, or names resolved through the catalogue or views.
    private mutating func readTariffs(_ listings: [ListingShape], view: ViewShape?, catalogue: CatalogueShape) {
        let names = listings.flatMap(\.tariffNames)
        let withoutTariff = listings.reduce(0) { $0 + $1.withoutTariff }
        if listings.contains(where: { $0.numericTariffs > 0 }) { understood.append("list rows give tariff ids") }
        if !names.isEmpty {
            let unresolved = names.filter { catalogue.ids(named: $0).count != 1 }
            if unresolved.isEmpty {
                inferred.append("list rows name the tariff; ids taken from the catalogue")
            } else if view?.tariff != nil {
                inferred.append(
                    "list rows name tariffs the catalogue does not tell apart ('\(unresolved[0])'); ids taken from views"
                )
            } else {
                unreadable.append(
                    "list rows name tariff '\(unresolved[0])', which neither the catalogue nor a view resolves to an id"
                )
            }
        }
        if withoutTariff > 0 {
            if view?.tariff != nil {
                inferred.append("\(withoutTariff) list row(s) name no tariff; ids taken from views")
            } else {
                unreadable.append("\(withoutTariff) list row(s) name no tariff, and no view gives its id")
            }
        }
    }

    private mutating func readPaging(_ listing: ListingShape) {
        let list = "\(listing.line.function("soft")) list"
        guard listing.rows > 0 else {
            understood.append("\(list): empty")
            return
        }
        guard let claimed = listing.claimed else {
            inferred.append("\(list): no p_elems; a listing is proven whole by reading pages until a short one")
            return
        }
        if let fresh = listing.newOnSecondPage, fresh > 0 {
            inferred.append(
                "\(list): p_elems (\(claimed)) counts the page, not the list: paging is proven whole by reading pages until a short one"
            )
        } else if claimed < listing.rows {
            inferred.append(
                "\(list): p_elems (\(claimed)) is less than the \(listing.rows) rows of one page; the list is read to a short page"
            )
        } else {
            let cap = listing.rows < listing.asked && claimed > listing.rows ? listing.rows : nil
            var line = "\(list): \(listing.rows) row(s) on page 1; p_elems is the list's total (\(claimed))"
            if let cap { line += "; pages hold at most \(cap) rows (asked for \(listing.asked))" }
            understood.append(line)
        }
    }

    /// Keeps the most decimals an amount is written with (after a dot, as the remote writes them).
    private mutating func noteDecimals(_ text: String) {
        let digits =
            text.lastIndex(of: ".").map { text[text.index(after: $0)...].prefix(while: \.isASCIIDigit).count } ?? 0
        moneyDecimals = max(moneyDecimals ?? 0, digits)
    }
}
