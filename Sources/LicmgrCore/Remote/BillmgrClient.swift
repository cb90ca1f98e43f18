/// Speaks BILLmanager's `func=...&out=json` protocol over an `HTTPTransport`.
public struct BillmgrClient: LicenseServer {
    public var credentials: Credentials
    public var transport: any HTTPTransport
    /// Rows asked for per page of `soft`; the remote may send fewer.
    public var pageSize: Int
    /// A bound on pages read, so that a remote that ignores `p_num` cannot loop us forever.
    public var maxPages: Int

    public init(credentials: Credentials, transport: any HTTPTransport, pageSize: Int = 500, maxPages: Int = 10_000) {
        self.credentials = credentials
        self.transport = transport
        self.pageSize = pageSize
        self.maxPages = maxPages
    }

    /// Calls `function` and returns the answer's `doc`, or throws the error it carries,
    /// with the password blanked out of any text the remote sent back.
    public func call(_ function: String, _ parameters: [(String, String)] = []) throws(RemoteError) -> DocNode {
        do {
            return try exchange(function, parameters)
        } catch {
            throw error.redacting(redaction)
        }
    }

    private var redaction: Redaction { Redaction(secret: credentials.password, field: "authinfo") }

    private func exchange(_ function: String, _ parameters: [(String, String)]) throws(RemoteError) -> DocNode {
        let form = FormEncoding.encode(
            [("func", function), ("out", "json"), ("authinfo", "\(credentials.user):\(credentials.password)")]
                + parameters)
        let reply = try transport.post(url: credentials.url, form: form, function: function)
        if reply.status >= 500 {
            throw .serverFailure(function: function, status: reply.status)
        }
        guard reply.status == 200 else {
            throw .notProtocol(function: function, detail: "HTTP \(reply.status)")
        }
        let doc = try DocNode.parse(reply.body, function: function, redacting: redaction)
        let error = doc["error"]
        if error.exists {
            let message = error["msg"].text ?? error.text ?? "no message"
            let type = error.attribute("type") ?? "unknown"
            if type == "auth" { throw .authRefused(message: message) }
            throw .refused(function: function, type: type, object: error.attribute("object"), message: message)
        }
        return doc
    }

    public func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License] {
        var licenses: [License] = []
        for line in lines {
            licenses += try listLicenses(line: line)
        }
        return licenses
    }

    /// One family's whole list. A remote list may change while it is read (a license ordered
    /// between two pages shifts every row after it), so one incomplete read is tried again.
    private func listLicenses(line: ProductLine) throws(RemoteError) -> [License] {
        do {
            return try readWholeList(line: line)
        } catch {
            guard case .incompleteListing = error else { throw error }
            return try readWholeList(line: line)
        }
    }

    /// Reads every page and accepts the result only when it is whole: as many distinct rows as
    /// `p_elems` says, every page answered in full. Anything less throws `incompleteListing`,
    /// because a row missing here would read as a license gone and a service to buy for.
    private func readWholeList(line: ProductLine) throws(RemoteError) -> [License] {
        let function = line.function("soft")
        func incomplete(_ detail: String) -> RemoteError { .incompleteListing(function: function, detail: detail) }
        var licenses: [License] = []
        var seen = Set<Int>()
        var total: Int?
        var pageCap = pageSize
        for page in 1...maxPages {
            let doc = try call(function, [("p_cnt", String(pageSize)), ("p_num", String(page))])
            let rows = doc["elem"].elements
            let claimed = doc.int("p_elems")
            if page == 1 {
                total = claimed
            } else if claimed != total {
                throw incomplete(
                    "p_elems was \(total.map(String.init) ?? "absent") on page 1, then \(claimed.map(String.init) ?? "absent") on page \(page)"
                )
            }
            var fresh = 0
            for row in rows {
                var license = try Self.license(from: row, function: function)
                license.line = line
                if seen.insert(license.id).inserted {
                    licenses.append(license)
                    fresh += 1
                }
            }
            // The page size the remote keeps to, which may be less than asked for: as it says, or
            // else as its first page shows when that page falls short of a larger total.
            if let reported = doc.int("p_cnt") {
                pageCap = reported
            } else if page == 1 {
                pageCap = !rows.isEmpty && (claimed ?? 0) > rows.count ? rows.count : pageSize
            }
            let full = rows.count >= pageCap
            guard let total else {
                // Without a total, only a list that fits in one page short of the page size is known whole.
                if page == 1 && !full { return licenses }
                throw incomplete("the remote gives no p_elems and the list spans pages")
            }
            if licenses.count > total {
                throw incomplete("page \(page) brings the list to \(licenses.count) rows while p_elems is \(total)")
            }
            if page > 1 && licenses.count == total && fresh == 0 {
                // The page after a full one added nothing: the total holds.
                return licenses
            }
            if licenses.count == total && !full {
                return licenses
            }
            if licenses.count < total && (!full || fresh == 0) {
                throw incomplete(
                    "page \(page) brought \(fresh) new of \(rows.count) rows; \(licenses.count) of \(total) read")
            }
            // A full page that reaches the total is read past once: a remote whose p_elems counts
            // the page, not the list, shows itself by a next page with new rows.
        }
        throw incomplete("more than \(maxPages) pages")
    }

    public func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License {
        let function = line.function("soft.edit")
        let doc = try call(function, [("elid", String(id))])
        var license = try Self.license(from: doc, function: function, fallbackID: id)
        license.line = line
        license.key = doc["lickey"].text
        license.ipChanged = doc["ip_change_date"].text.flatMap(Day.init)
        license.keyChanged = doc["lickey_change_date"].text.flatMap(Day.init)
        return license
    }

    public func order(_ request: OrderRequest) throws(RemoteError) -> Int {
        let doc = try call(
            request.line.function("soft.order.param"),
            [
                ("pricelist", String(request.pricelist)), ("period", String(request.period)), ("ip", request.ip),
                ("licname", request.name), ("remoteid", request.remoteID), ("autoprolong", "null"),
                ("skipbasket", "on"), ("clicked_button", "finish"), ("sok", "ok"),
            ])
        guard let id = doc.int("id") ?? doc.int("item.id") ?? doc["doc"].int("id") else {
            throw .notProtocol(
                function: request.line.function("soft.order.param"), detail: "the answer names no license id")
        }
        return id
    }

    public func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError) {
        var parameters = [("elid", String(license))]
        if let name { parameters.append(("licname", name)) }
        if let ip { parameters.append(("ip", ip)) }
        _ = try call(line.function("soft.edit"), parameters + [("sok", "ok")])
    }

    public func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String? {
        let doc = try call(
            line.function("soft.edit"), [("elid", String(license)), ("clicked_button", "newkey"), ("sok", "ok")])
        return doc["lickey"].text
    }

    public func prolong(license: Int, period: Int) throws(RemoteError) -> Day? {
        let doc = try call("service.prolong", [("elid", String(license)), ("period", String(period)), ("sok", "ok")])
        return (doc["doc"]["newexpiredate"].text ?? doc["newexpiredate"].text).flatMap(Day.init)
    }

    public func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError) {
        _ = try call(
            "service.changepricelist",
            [
                ("elid", String(license)), ("pricelist", String(pricelist)), ("period", String(period)), ("sok", "ok"),
            ])
    }

    public func suspend(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try call(line.function("soft.suspend"), [("elid", String(license)), ("sok", "ok")])
    }

    public func resume(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try call(line.function("soft.resume"), [("elid", String(license)), ("sok", "ok")])
    }

    public func delete(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try call(line.function("soft.delete"), [("elid", String(license)), ("sok", "ok")])
    }

    public func exportTariffs() throws(RemoteError) -> [Tariff] {
        let doc = try call("pricelist.export", [("onlyavailable", "on")])
        var tariffs: [Tariff] = []
        for node in doc["pricelist"].elements {
            guard let id = node.int("id") else {
                throw .notProtocol(function: "pricelist.export", detail: "a tariff without an id")
            }
            let price = node["price"]
            let periods = price["period"].elements.compactMap(Self.period(from:)).sorted { $0.id < $1.id }
            let active = (node["active"].text ?? "on").lowercased()
            tariffs.append(
                Tariff(
                    id: id, name: node["name"].text ?? "",
                    active: active == "on" || active == "yes" || active == "true",
                    itemType: node["itemtype"].text ?? "", currency: price.attribute("currency") ?? "", periods: periods
                ))
        }
        return tariffs
    }

    /// A catalogue period: its id is the element's text, or derived from type and length the
    /// way modern tariffs number them (months; 0 lifetime; -100 trial; -50 day).
    static func period(from node: DocNode) -> Tariff.Period? {
        let type = (node.attribute("type") ?? "month").lowercased()
        let length = Int(node.attribute("length") ?? "") ?? 1
        let derived: Int? =
            switch type {
            case "month": length
            case "year": length * 12
            case "lifetime": 0
            case "trial": -100
            case "day": -50
            default: nil
            }
        guard let id = node.text.flatMap({ Int($0) }) ?? node.attribute("id").flatMap({ Int($0) }) ?? derived else {
            return nil
        }
        return Tariff.Period(id: id, type: type, length: length, cost: node.attribute("cost") ?? "")
    }

    /// Reads one license row of a list or a view; the remote sends every value as a string.
    static func license(from node: DocNode, function: String, fallbackID: Int? = nil) throws(RemoteError) -> License {
        guard let id = node.int("id") ?? node.int("elid") ?? fallbackID else {
            throw .notProtocol(function: function, detail: "a license row without an id")
        }
        let status = node.int("status").flatMap(License.Status.init(rawValue:)) ?? .ordered
        return License(
            id: id, name: node["licname"].text ?? "", ip: node["ip"].text.map { IPAddress.canonical($0) ?? $0 } ?? "",
            pricelist: node.int("pricelist") ?? node.int("pricelist_id") ?? 0, period: node.int("period"),
            status: status,
            expires: node["expiredate"].text.flatMap(Day.init), created: node["createdate"].text.flatMap(Day.init),
            remoteID: node["remoteid"].text, autoprolong: node["autoprolong"].text)
    }
}
