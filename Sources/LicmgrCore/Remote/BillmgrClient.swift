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

    /// Calls `function` and returns the answer's `doc`, or throws the error it carries.
    public func call(_ function: String, _ parameters: [(String, String)] = []) throws(RemoteError) -> DocNode {
        let form = FormEncoding.encode(
            [("func", function), ("out", "json"), ("authinfo", "\(credentials.user):\(credentials.password)")] + parameters)
        let reply = try transport.post(url: credentials.url, form: form, function: function)
        if reply.status >= 500 {
            throw .serverFailure(function: function, status: reply.status)
        }
        guard reply.status == 200 else {
            throw .notProtocol(function: function, detail: "HTTP \(reply.status)")
        }
        let doc = try DocNode.parse(reply.body, function: function)
        let error = doc["error"]
        if error.exists {
            let message = error["msg"].text ?? error.text ?? "no message"
            let type = error.attribute("type") ?? "unknown"
            if type == "auth" { throw .authRefused(message: message) }
            throw .refused(function: function, type: type, object: error.attribute("object"), message: message)
        }
        return doc
    }

    public func listLicenses() throws(RemoteError) -> [License] {
        var licenses: [License] = []
        var seen = Set<Int>()
        for page in 1...maxPages {
            let doc = try call("soft", [("p_cnt", String(pageSize)), ("p_num", String(page))])
            let rows = doc["elem"].elements
            var fresh = 0
            for row in rows {
                let license = try Self.license(from: row, function: "soft")
                if seen.insert(license.id).inserted {
                    licenses.append(license)
                    fresh += 1
                }
            }
            let total = doc.int("p_elems")
            if fresh == 0 || rows.isEmpty { break }
            if let total, licenses.count >= total { break }
        }
        return licenses
    }

    public func viewLicense(_ id: Int) throws(RemoteError) -> License {
        let doc = try call("soft.edit", [("elid", String(id))])
        var license = try Self.license(from: doc, function: "soft.edit", fallbackID: id)
        license.key = doc["lickey"].text
        license.ipChanged = doc["ip_change_date"].text.flatMap(Day.init)
        license.keyChanged = doc["lickey_change_date"].text.flatMap(Day.init)
        return license
    }

    public func order(_ request: OrderRequest) throws(RemoteError) -> Int {
        let doc = try call("soft.order.param", [
            ("pricelist", String(request.pricelist)), ("period", String(request.period)), ("ip", request.ip),
            ("licname", request.name), ("remoteid", request.remoteID), ("autoprolong", "null"),
            ("skipbasket", "on"), ("clicked_button", "finish"), ("sok", "ok"),
        ])
        guard let id = doc.int("id") ?? doc.int("item.id") ?? doc["doc"].int("id") else {
            throw .notProtocol(function: "soft.order.param", detail: "the answer names no license id")
        }
        return id
    }

    /// Reads one license row of a list or a view; the remote sends every value as a string.
    static func license(from node: DocNode, function: String, fallbackID: Int? = nil) throws(RemoteError) -> License {
        guard let id = node.int("id") ?? node.int("elid") ?? fallbackID else {
            throw .notProtocol(function: function, detail: "a license row without an id")
        }
        let status = node.int("status").flatMap(License.Status.init(rawValue:)) ?? .ordered
        return License(
            id: id, name: node["licname"].text ?? "", ip: node["ip"].text ?? "",
            pricelist: node.int("pricelist") ?? 0, period: node.int("period"), status: status,
            expires: node["expiredate"].text.flatMap(Day.init), created: node["createdate"].text.flatMap(Day.init),
            remoteID: node["remoteid"].text, autoprolong: node["autoprolong"].text)
    }
}
