import FoundationEssentials
import LicmgrCore

/// The input is the body of every answer the remote gives, to every call a run makes; no
/// network is involved.
enum RemoteHarness {
    /// With characters that the redaction must find encoded as well as plain.
    static let password = "pw&fuzz secret"

    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let body = Data(buffer: bytes)
        let credentials = Credentials(url: "https://billing.invalid/billmgr", user: "fuzz", password: password)
        let transport = Echo(reply: HTTPReply(status: 200, body: body))
        let client = BillmgrClient(
            credentials: credentials, transport: transport, pageSize: 2, maxPages: 3, sessionAfter: 0)

        func check<T>(_ call: () throws(RemoteError) -> T) -> T? {
            do {
                return try call()
            } catch {
                require(!error.description.contains(password), "the password in an error: \(error)")
                return nil
            }
        }
        // An error element, one or the first of several, is a refusal whatever call it answers.
        let refusal = (try? DocNode.parse(body, function: "soft"))?["error"].elements.isEmpty == false
        if let licenses = check({ () throws(RemoteError) in try client.listLicenses(lines: [.soft]) }) {
            require(!refusal, "an error read as a list of \(licenses.count)")
            require(Set(licenses.map(\.id)).count == licenses.count, "a license listed twice: \(licenses)")
            // A list row says its status: only a form may leave it unsaid.
            require(!licenses.contains(where: \.statusUnsaid), "a list row without a status read: \(licenses)")
            for day in licenses.flatMap({ [$0.expires, $0.created, $0.ipChanged, $0.keyChanged] }).compactMap({ $0 }) {
                require(Day(day.description) == day, "\(day) does not read back")
            }
        }
        _ = check { () throws(RemoteError) in try client.viewLicense(7, line: .soft) }
        if let tariffs = check({ () throws(RemoteError) in try client.exportTariffs() }) {
            // A renewal reckons its term with whatever period the catalogue reader accepted.
            let day = Day(year: 2025, month: 3, day: 7)!
            for period in tariffs.flatMap(\.periods) {
                _ = period.months.map { day.adding(months: $0) }
                _ = day.adding(days: period.length)
            }
        }
        _ = check { () throws(RemoteError) in try client.balances() }
        if let id = check({ () throws(RemoteError) in
            try client.order(OrderRequest(pricelist: 1, period: 1, ip: "192.0.2.1", name: "n", remoteID: "r"))
        }) {
            require(id > 0 && !refusal, "an order's answer read as license \(id)")
        }
        if let day = check({ () throws(RemoteError) in try client.prolong(license: 7, period: 12) }) ?? nil {
            require(Day(day.description) == day, "a renewal's \(day) does not read back")
        }
        _ = check { () throws(RemoteError) in try client.newKey(license: 7, line: .soft) }
        let probe = FirstContact(credentials: credentials, transport: transport, configTariffs: [55227])
        if let report = check({ () throws(RemoteError) in try probe.run() }) {
            let lines = report.understood + report.inferred + report.unreadable
            require(!lines.contains { $0.contains(password) }, "the password in the probe's report: \(lines)")
        }
        if let doc = try? DocNode.parse(body, function: "soft") { walk(doc, depth: 0) }
    }

    /// Reads every node every way a reader may: the answer's shape is the remote's to choose.
    private static func walk(_ node: DocNode, depth: Int) {
        _ = node.text
        _ = node.exists
        _ = node.attribute("id")
        _ = node.int("id")
        guard depth < 8 else { return }
        for element in node.elements where element.exists {
            for key in ["elem", "doc", "$", "$orig", "id", "error", "msg", "period", "price", "pricelist", "status"] {
                walk(element[key], depth: depth + 1)
            }
        }
    }
}
