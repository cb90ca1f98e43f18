/// Speaks BILLmanager's `func=...&out=json` protocol over an `HTTPTransport`.
public struct BillmgrClient: LicenseServer {
    public var credentials: Credentials
    public var transport: any HTTPTransport
    /// Rows asked for per page of `soft`; the remote may send fewer.
    public var pageSize: Int
    /// A bound on pages read, so that a remote that ignores `p_num` cannot loop us forever.
    public var maxPages: Int
    /// How many pages of a listing may be read at once, once the first tells how many there are.
    public var parallel: Int
    /// A run that makes more calls than this logs in once with `func=auth` and sends the session
    /// id from then on instead of the password; a short run is not worth the extra call.
    public var sessionAfter: Int
    /// Told after each page of a listing how many rows of how many are read.
    public var listingProgress: (@Sendable (RunProgress) -> Void)?
    private let session = Session()
    private let paging = PagingNotes()

    /// What this run's listings showed of the remote's paging, by function.
    private final class PagingNotes: @unchecked Sendable {
        var oddities: [String: PagingOddity] = [:]
    }

    public var pagingOddities: [PagingOddity] {
        paging.oddities.values.sorted { $0.function < $1.function }
    }

    /// The session of one client, that is of one run.
    private final class Session: @unchecked Sendable {
        var id: String?
        var calls = 0
        /// The remote refused `func=auth`, or a session: the password it is, for the rest of the run.
        var unavailable = false
    }

    public init(
        credentials: Credentials, transport: any HTTPTransport, pageSize: Int = 5000, maxPages: Int = 10_000,
        parallel: Int = 1, sessionAfter: Int = 16
    ) {
        self.credentials = credentials
        self.transport = transport
        self.pageSize = pageSize
        self.maxPages = maxPages
        self.parallel = parallel
        self.sessionAfter = sessionAfter
    }

    /// Calls `function` and returns the answer's `doc`, or throws the error it carries,
    /// with the password blanked out of any text the remote sent back.
    /// `reading` for a call that changes nothing, whose request may be sent again on a fresh
    /// connection when a reused one proves dead.
    public func call(_ function: String, _ parameters: [(String, String)] = [], reading: Bool = false)
        throws(RemoteError) -> DocNode
    {
        openSession(before: 1)
        let sentWith = session.id
        do {
            return try exchange(function, parameters, reading: reading)
        } catch {
            // A session the remote no longer takes was refused before anything was done: the
            // same call again with the password is safe, change or not.
            let redaction = self.redaction
            guard Self.sessionDied(error, sentWith: sentWith) else { throw error.redacting(redaction) }
            dropSession()
            do {
                return try exchange(function, parameters, reading: reading)
            } catch {
                throw error.redacting(self.redaction)
            }
        }
    }

    private func exchange(_ function: String, _ parameters: [(String, String)], reading: Bool) throws(RemoteError)
        -> DocNode
    {
        let reply = try transport.post(
            url: credentials.url,
            request: HTTPForm(form: form(function, parameters), function: function, once: !reading))
        return try read(reply, function: function)
    }

    private var redaction: Redaction {
        Redaction(
            secret: credentials.password, field: "authinfo",
            then: session.id.map { Redaction(secret: $0, field: "auth") })
    }

    private func form(_ function: String, _ parameters: [(String, String)]) -> String {
        let credential =
            if let id = session.id { ("auth", id) } else {
                ("authinfo", "\(credentials.user):\(credentials.password)")
            }
        return FormEncoding.encode([("func", function), ("out", "json"), credential] + parameters)
    }

    /// Counts the calls about to be made and, once the run has made more than `sessionAfter`,
    /// logs in for a session. Any failure leaves the password in use: a session only saves
    /// the remote a password check per call and keeps the password off the wire.
    private func openSession(before calls: Int) {
        session.calls += calls
        guard session.id == nil, !session.unavailable, session.calls > sessionAfter else { return }
        session.unavailable = true
        let login = FormEncoding.encode([
            ("func", "auth"), ("out", "json"), ("username", credentials.user), ("password", credentials.password),
        ])
        guard
            let reply = try? transport.post(
                url: credentials.url, request: HTTPForm(form: login, function: "auth", once: false)),
            let doc = try? read(reply, function: "auth"),
            let id = doc["auth"].attribute("id") ?? doc["auth"].text, !id.isEmpty
        else { return }
        session.id = id
        session.unavailable = false
    }

    private func dropSession() {
        session.id = nil
        session.unavailable = true
    }

    /// Whether `error`, the answer to a call sent with session `id`, says that the session died
    /// (an hour after its last call, or at a server restart) and nothing was done: `auth`, or
    /// BILLmanager 6's `access`, "Insufficient privileges to perform the function". Without a
    /// session, `access` is a real refusal.
    static func sessionDied(_ error: RemoteError, sentWith id: String?) -> Bool {
        guard id != nil else { return false }
        switch error {
        case .authRefused: return true
        case .refused(_, let type, _, _, _): return type == "access"
        default: return false
        }
    }

    /// The answer's `doc`, or the error it carries.
    private func read(_ reply: HTTPReply, function: String) throws(RemoteError) -> DocNode {
        if reply.status >= 500 {
            throw .serverFailure(function: function, status: reply.status)
        }
        if (300..<400).contains(reply.status) {
            throw .redirected(url: credentials.url, location: reply.location)
        }
        guard reply.status == 200 else {
            throw .notProtocol(function: function, detail: "HTTP \(reply.status)")
        }
        if Self.isLoginPage(reply) { throw .htmlPage(url: credentials.url) }
        let doc = try DocNode.parse(reply.body, function: function, redacting: redaction)
        // Two errors would come as an array: the first is the refusal.
        if let error = doc["error"].elements.first {
            let message = error["msg"].text ?? error.text ?? "no message"
            let type = error.attribute("type") ?? "unknown"
            if type == "auth" { throw .authRefused(message: message) }
            // `<param name="amount">12.3400</param>`: one object or an array of them.
            var params: [String: String] = [:]
            for param in error["param"].elements {
                if let name = param.attribute("name"), let value = param.text { params[name] = value }
            }
            throw .refused(
                function: function, type: type, object: error.attribute("object"), message: message, params: params)
        }
        return doc
    }

    /// A site's page with a login form: what a Url short of the API's path answers. Other HTML,
    /// such as a proxy's error page, may stand in for an answer to a change, and stays in doubt.
    static func isLoginPage(_ reply: HTTPReply) -> Bool {
        let html =
            reply.contentType?.lowercased().hasPrefix("text/html")
            ?? (reply.body.first.map { $0 == UInt8(ascii: "<") } ?? false)
        guard html else { return false }
        let text = String(decoding: reply.body.prefix(65536), as: UTF8.self).lowercased()
        return text.contains("<form") && text.contains("password")
    }

    /// Many calls over one transport batch; see `LicenseServer.perform`.
    public func perform(
        _ calls: [RemoteCall], parallel: Int, starting: (Int) throws -> Bool, each: RemoteAnswerHandler
    ) throws {
        // The functions alone are kept: the forms hold the parameters, and a batch of 10,000
        // orders held twice weighs.
        let functions = calls.map { request($0).function }
        openSession(before: calls.count)
        let sentWith = session.id
        let redaction = self.redaction
        func forms(_ indices: [Int]) -> [HTTPForm] {
            indices.map { index in
                let request = request(calls[index])
                return HTTPForm(
                    form: form(request.function, request.parameters), function: request.function,
                    once: calls[index].changes)
            }
        }
        func answer(_ index: Int, _ reply: Result<HTTPReply, RemoteError>) -> Result<RemoteAnswer, RemoteError> {
            do throws(RemoteError) {
                let doc = try read(try reply.get(), function: functions[index])
                return .success(try self.answer(calls[index], from: doc))
            } catch {
                return .failure(error)
            }
        }
        // Once the session is found dead, what it refused (nothing was done) and what had yet
        // to go out are sent after the first round with the password; the calls held back are
        // only then passed to `starting`, which journals them.
        var refused: [Int] = []
        var heldBack: [Int] = []
        try transport.postAll(
            url: credentials.url, forms: forms(Array(calls.indices)), parallel: parallel,
            starting: { index in
                guard refused.isEmpty else {
                    heldBack.append(index)
                    return false
                }
                return try starting(index)
            }
        ) { index, reply in
            let result = answer(index, reply)
            if case .failure(let error) = result, Self.sessionDied(error, sentWith: sentWith) {
                if session.id != nil { dropSession() }
                refused.append(index)
                return
            }
            try each(index, result.mapError { $0.redacting(redaction) })
        }
        guard !refused.isEmpty else { return }
        let again = refused + heldBack
        var answered = Set<Int>()
        var stoppedBy: Int32?
        try transport.postAll(
            url: credentials.url, forms: forms(again), parallel: parallel,
            starting: { position in
                guard position < refused.count else { return try starting(again[position]) }
                // After a signal nothing more is sent: what the dead session refused ends as the run does.
                stoppedBy = Interruption.signal
                return stoppedBy == nil
            }
        ) { position, reply in
            answered.insert(position)
            try each(again[position], answer(again[position], reply).mapError { $0.redacting(redaction) })
        }
        guard let stoppedBy else { return }
        for (position, index) in refused.enumerated() where !answered.contains(position) {
            try each(index, .failure(.interrupted(signal: stoppedBy)))
        }
    }

    /// Sends one call and reads its answer.
    private func send(_ call: RemoteCall) throws(RemoteError) -> RemoteAnswer {
        let request = request(call)
        return try answer(call, from: try self.call(request.function, request.parameters, reading: !call.changes))
    }

    /// The function and parameters that make `call`.
    func request(_ call: RemoteCall) -> (function: String, parameters: [(String, String)]) {
        switch call {
        case .view(let id, let line):
            (line.function("soft.edit"), [("elid", String(id))])
        case .order(let request):
            (
                request.line.function("soft.order.param"),
                [
                    ("pricelist", String(request.pricelist)), ("period", String(request.period)), ("ip", request.ip),
                    ("licname", request.name), ("remoteid", request.remoteID), ("autoprolong", "null"),
                    ("skipbasket", "on"), ("clicked_button", "finish"), ("sok", "ok"),
                ] + request.addons.map { ("addon_\($0.id)", String($0.count)) }
            )
        case .edit(let id, let line, let name, let ip):
            (
                line.function("soft.edit"),
                [("elid", String(id))] + (name.map { [("licname", $0)] } ?? []) + (ip.map { [("ip", $0)] } ?? [])
                    + [("sok", "ok")]
            )
        case .newKey(let id, let line):
            (line.function("soft.edit"), [("elid", String(id)), ("clicked_button", "newkey"), ("sok", "ok")])
        case .prolong(let id, let period):
            ("service.prolong", [("elid", String(id)), ("period", String(period)), ("sok", "ok")])
        case .changeTariff(let id, let pricelist, let period):
            (
                "service.changepricelist",
                [("elid", String(id)), ("pricelist", String(pricelist)), ("period", String(period)), ("sok", "ok")]
            )
        case .suspend(let id, let line): (line.function("soft.suspend"), [("elid", String(id)), ("sok", "ok")])
        case .resume(let id, let line): (line.function("soft.resume"), [("elid", String(id)), ("sok", "ok")])
        case .delete(let id, let line): (line.function("soft.delete"), [("elid", String(id)), ("sok", "ok")])
        }
    }

    /// What `doc` says to `call`.
    func answer(_ call: RemoteCall, from doc: DocNode) throws(RemoteError) -> RemoteAnswer {
        switch call {
        case .view(let id, let line):
            let function = line.function("soft.edit")
            var license = try Self.license(from: doc, function: function, fallbackID: id, view: true)
            license.line = line
            license.key = doc["lickey"].text
            license.ipChanged =
                try Self.day("ip_change_date", of: doc, function: function, license: id) ?? license.ipChanged
            license.keyChanged =
                try Self.day("lickey_change_date", of: doc, function: function, license: id) ?? license.keyChanged
            return .license(license)
        case .order(let request):
            // Nested as a renewal's answer is, too. An `elid` is not read: it may name the order, not the license.
            let named = ["id", "item.id"].lazy.compactMap { doc.int($0) ?? doc["doc"].int($0) }.first
            guard let id = named, id > 0 else {
                throw .notProtocol(
                    function: request.line.function("soft.order.param"), detail: "the answer names no license id")
            }
            return .ordered(id)
        case .newKey:
            return .key(doc["lickey"].text)
        case .prolong:
            return .expiry(Self.looseDay(doc["doc"]["newexpiredate"]) ?? Self.looseDay(doc["newexpiredate"]))
        case .edit, .changeTariff, .suspend, .resume, .delete:
            return .done
        }
    }

    public func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License] {
        // Most accounts list one family: its list is the answer, not a copy of it.
        if lines.count == 1 { return try listLicenses(line: lines[0]) }
        var licenses: [License] = []
        for line in lines {
            licenses.append(contentsOf: try listLicenses(line: line))
        }
        return licenses
    }

    /// One family's whole list. A remote list may change while it is read (a license ordered
    /// between two pages shifts every row after it), so one incomplete read is tried again;
    /// not one already proven by reading it twice, whose failure the second read was.
    private func listLicenses(line: ProductLine) throws(RemoteError) -> [License] {
        do {
            return try readWholeList(line: line)
        } catch {
            guard case .incompleteListing = error, paging.oddities[line.function("soft")] == nil else { throw error }
            return try readWholeList(line: line)
        }
    }

    /// Reads every page and accepts the result only when it is whole: as many distinct rows as
    /// `p_elems` says, every page answered in full. Anything less throws `incompleteListing`,
    /// because a row missing here would read as a license gone and a service to buy for.
    /// A `p_elems` the rows show is not the total (it counts the page, or is absent) proves
    /// nothing: then the list is read to its end, an empty page or one shorter than the
    /// longest, and every page read again must say the same.
    private func readWholeList(line: ProductLine) throws(RemoteError) -> [License] {
        let function = line.function("soft")
        func incomplete(_ detail: String) -> RemoteError { .incompleteListing(function: function, detail: detail) }
        func said(_ number: Int?) -> String { number.map(String.init) ?? "absent" }
        var licenses: [License] = []
        var seen = Set<Int>()
        // Each page's ids in order, for the second read an untrusted p_elems calls for.
        var pages: [[Int]] = []
        var total: Int?
        var pageCap = pageSize
        var capKnown = false
        var longest = 0
        var untrusted: PagingOddity?
        var prefetched: [Int: Prefetched] = [:]
        for page in 1...maxPages {
            // A read changes nothing: a signal may cut it short between pages at no cost.
            if let signal = Interruption.signal { throw .interrupted(signal: signal) }
            let doc = try self.page(page, of: function, prefetched: &prefetched)
            let rows = doc["elem"].elements
            let claimed = doc.int("p_elems")
            defer {
                listingProgress?(
                    RunProgress(
                        .readingAccount, done: licenses.count,
                        total: untrusted == nil ? max(total ?? 0, licenses.count) : 0,
                        current: "\(function), page \(page)"))
            }
            var fresh = 0
            var ids: [Int] = []
            ids.reserveCapacity(rows.count)
            for row in rows {
                var license = try Self.license(from: row, function: function)
                license.line = line
                ids.append(license.id)
                if seen.insert(license.id).inserted {
                    licenses.append(license)
                    fresh += 1
                }
            }
            pages.append(ids)
            longest = max(longest, rows.count)
            // New rows beside rows of earlier pages: the list moved under the read.
            if fresh > 0 && fresh < rows.count {
                throw incomplete("page \(page) repeats \(rows.count - fresh) rows already read")
            }
            if untrusted == nil {
                if page == 1 {
                    total = claimed
                    // Sized once: a list of 100,000 that doubles as it fills holds both halves at once.
                    if let claimed, claimed > 0 { licenses.reserveCapacity(min(claimed, 1_000_000)) }
                } else if claimed != total {
                    untrusted = PagingOddity(
                        function: function, kind: .notTotal,
                        detail: "\(said(total)) on page 1, then \(said(claimed)) on page \(page)")
                }
            }
            if untrusted == nil {
                // The page size the remote keeps to, which may be less than asked for: as it says, or
                // else as its first page shows when that page falls short of a larger total.
                if let reported = doc.int("p_cnt") {
                    pageCap = reported
                    capKnown = true
                } else if page == 1 && !rows.isEmpty && (claimed ?? 0) > rows.count {
                    pageCap = rows.count
                    capKnown = true
                }
                let full = rows.count >= pageCap
                // A first page short of what was asked ends the list only when the remote says how
                // many rows it sends a page: one that caps pages silently may count only the page.
                let ends = !full && (capKnown || page > 1 || rows.isEmpty)
                if let total {
                    if licenses.count > total {
                        untrusted = PagingOddity(
                            function: function, kind: .notTotal,
                            detail: "\(total), yet page \(page) brings the list to \(licenses.count) rows")
                    } else if page > 1 && licenses.count == total && fresh == 0 {
                        // The page after a full one added nothing: the total holds.
                        return licenses
                    } else if licenses.count == total && (ends || total > pageCap) {
                        // A total larger than a page cannot be a count of one page: no need to read past it.
                        return licenses
                    } else if licenses.count < total && (!full || fresh == 0) {
                        throw incomplete(
                            "page \(page) brought \(fresh) new of \(rows.count) rows; \(licenses.count) of \(total) read"
                        )
                    } else {
                        // A full page that reaches a total of one page is read past once: a remote whose
                        // p_elems counts the page, not the list, shows itself by a next page with new rows.
                        // The pages the total promises are read ahead a few windows of `parallel` at a time:
                        // enough to keep every connection busy, few enough that memory stays flat.
                        // Rounded up without adding to a total that may be as large as an Int goes.
                        let last = pageCap > 0 ? min(total / pageCap + (total % pageCap > 0 ? 1 : 0), maxPages) : 0
                        if parallel > 1 && prefetched.isEmpty && page + 1 < last {
                            prefetched = prefetch(function, pages: (page + 1)...min(last, page + parallel * 2))
                        }
                    }
                } else if page == 1 && ends {
                    // Without a total, a list that fits in one page short of the page size is whole.
                    return licenses
                } else {
                    untrusted = PagingOddity(
                        function: function, kind: .absent, detail: "the list spans pages or its page size is unsaid")
                }
            }
            if let untrusted {
                paging.oddities[function] = untrusted
                // Rows read before, with no total to say the list ends there: the remote may be
                // ignoring p_num, so nothing tells what lies past them.
                if fresh == 0 && !rows.isEmpty {
                    throw incomplete("page \(page) repeats rows already read, and p_elems \(untrusted.kind.rawValue)")
                }
                if rows.isEmpty || rows.count < longest {
                    try readAgain(function, pages: pages)
                    return licenses
                }
            }
        }
        throw incomplete("more than \(maxPages) pages")
    }

    /// The proof of a list whose p_elems is not its total: every page read again holds the same
    /// rows in the same order. A list that moved between the two reads, or a page cut short in
    /// one of them, fails it; no third read is made, since a lie told once is told here.
    private func readAgain(_ function: String, pages: [[Int]]) throws(RemoteError) {
        var prefetched: [Int: Prefetched] = [:]
        for (offset, expected) in pages.enumerated() {
            let page = offset + 1
            if let signal = Interruption.signal { throw .interrupted(signal: signal) }
            if parallel > 1 && prefetched.isEmpty && page < pages.count {
                prefetched = prefetch(function, pages: page...min(pages.count, page + parallel * 2 - 1))
            }
            let doc = try self.page(page, of: function, prefetched: &prefetched)
            var ids: [Int] = []
            for row in doc["elem"].elements {
                guard let id = row.int("id") ?? row.int("elid") else {
                    throw .notProtocol(function: function, detail: "a license row without an id")
                }
                ids.append(id)
            }
            guard ids == expected else {
                throw .incompleteListing(
                    function: function,
                    detail:
                        "p_elems is not the list's total, and read again page \(page) holds other rows (\(ids.count), first \(expected.count))"
                )
            }
        }
    }

    private func pageParameters(_ page: Int) -> [(String, String)] {
        [("p_cnt", String(pageSize)), ("p_num", String(page))]
    }

    /// A page read ahead: the raw answer, and the session it was asked with.
    private struct Prefetched {
        var reply: Result<HTTPReply, RemoteError>
        var session: String?
    }

    /// Page `number` of `function`'s list: read ahead already, else read now. A page read ahead
    /// under a session that has died since is read again.
    private func page(_ number: Int, of function: String, prefetched: inout [Int: Prefetched]) throws(RemoteError)
        -> DocNode
    {
        guard let early = prefetched.removeValue(forKey: number) else {
            return try call(function, pageParameters(number), reading: true)
        }
        do {
            return try read(try early.reply.get(), function: function)
        } catch {
            guard Self.sessionDied(error, sentWith: early.session) else { throw error.redacting(redaction) }
            if session.id == early.session { dropSession() }
            return try call(function, pageParameters(number), reading: true)
        }
    }

    /// Reads the pages the first one promised, `parallel` at a time, and keeps their raw
    /// answers: a parsed page weighs many times its bytes, so each is parsed only when the
    /// caller reaches it, and checked in order as if it had been read alone.
    private func prefetch(_ function: String, pages: ClosedRange<Int>) -> [Int: Prefetched] {
        var replies: [Int: Prefetched] = [:]
        let numbers = Array(pages)
        openSession(before: numbers.count)
        let sentWith = session.id
        try? transport.postAll(
            url: credentials.url,
            forms: numbers.map { HTTPForm(form: form(function, pageParameters($0)), function: function, once: false) },
            parallel: parallel, starting: { _ in true }
        ) { index, reply in
            replies[numbers[index]] = Prefetched(reply: reply, session: sentWith)
        }
        return replies
    }

    public func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License {
        guard case .license(let license) = try send(.view(license: id, line: line)) else { preconditionFailure() }
        return license
    }

    public func order(_ request: OrderRequest) throws(RemoteError) -> Int {
        guard case .ordered(let id) = try send(.order(request)) else { preconditionFailure() }
        return id
    }

    public func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError) {
        _ = try send(.edit(license: license, line: line, name: name, ip: ip))
    }

    public func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String? {
        guard case .key(let key) = try send(.newKey(license: license, line: line)) else { preconditionFailure() }
        return key
    }

    public func prolong(license: Int, period: Int) throws(RemoteError) -> Day? {
        guard case .expiry(let day) = try send(.prolong(license: license, period: period)) else {
            preconditionFailure()
        }
        return day
    }

    public func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError) {
        _ = try send(.changeTariff(license: license, pricelist: pricelist, period: period))
    }

    public func suspend(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try send(.suspend(license: license, line: line))
    }

    public func resume(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try send(.resume(license: license, line: line))
    }

    public func delete(license: Int, line: ProductLine) throws(RemoteError) {
        _ = try send(.delete(license: license, line: line))
    }

    public func exportTariffs() throws(RemoteError) -> [Tariff] {
        let doc = try call("pricelist.export", [("onlyavailable", "on")], reading: true)
        var tariffs: [Tariff] = []
        for node in doc["pricelist"].elements {
            guard let id = node.int("id") else {
                throw .notProtocol(function: "pricelist.export", detail: "a tariff without an id")
            }
            let price = node["price"]
            let periods = price["period"].elements.compactMap(Self.period(from:)).sorted { $0.id < $1.id }
            tariffs.append(
                Tariff(
                    id: id, name: node["name"].text ?? "", active: try Self.isActive(node, tariff: id),
                    itemType: Self.itemType(of: node), currency: price.attribute("currency") ?? "", periods: periods,
                    addons: node["addon"].elements.compactMap(Self.addon(from:))))
        }
        return tariffs
    }

    /// Whether a catalogue tariff is sold: `on` or `off` as BILLmanager writes a flag, or its
    /// other spellings; sold when not said. Any other word throws: a tariff read as withdrawn is
    /// never ordered, one read as sold may be.
    static func isActive(_ node: DocNode, tariff id: Int) throws(RemoteError) -> Bool {
        guard let text = node["active"].text?.trimmingBlanks() else { return true }
        switch text.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default:
            throw .notProtocol(
                function: "pricelist.export", detail: "tariff \(id): active '\(text)' is neither on nor off")
        }
    }

    /// A catalogue tariff's item type by name: `itemtype` itself, or where that is the type's
    /// id (BILLmanager 6) the name under `itemtype_info`; the id when no name is given.
    static func itemType(of tariff: DocNode) -> String {
        let type = tariff["itemtype"].text ?? ""
        guard !type.isEmpty, type.allSatisfy(\.isNumber) else { return type }
        let info = tariff["itemtype_info"]
        return info["intname"].text ?? info.attribute("intname") ?? type
    }

    /// Read defensively, the format being a guess: rows under `elem` or the balance on `doc`
    /// itself, a number perhaps with a currency around it, a `currency` that may be a code or
    /// an id (then the one around the number is taken).
    public func balances() throws(RemoteError) -> [AccountBalance] {
        let doc = try call("subaccount", reading: true)
        var rows = doc["elem"].elements
        if rows.isEmpty, doc["balance"].exists { rows = [doc] }
        return rows.compactMap { row in
            // Taken as less money past the fourth decimal: a balance is never over-stated.
            guard let text = row["balance"].text, let amount = Money.amount(text, rounding: .down) else { return nil }
            let named = row["currency"].text.flatMap { $0.allSatisfy(\.isNumber) ? nil : $0 }
            return AccountBalance(amount: amount.value, currency: named ?? amount.currency)
        }
    }

    /// A tariff's counted part as `pricelist.export` lists it: an `addon` with its `id` and
    /// `addonmin` (and `addonmax`), as elements or attributes. One without an id is no part
    /// licmgr can send; one without a minimum takes none.
    static func addon(from node: DocNode) -> Tariff.Addon? {
        func number(_ name: String) -> Int? { node.int(name) ?? node.attribute(name).flatMap { Int($0) } }
        guard let id = number("id") else { return nil }
        return Tariff.Addon(
            id: id, name: node["name"].text ?? node.attribute("name") ?? "", minimum: max(number("addonmin") ?? 0, 0),
            maximum: number("addonmax"))
    }

    /// A catalogue period: its id is the element's text, or derived from type and length the
    /// way modern tariffs number them (months; 0 lifetime; -100 trial; -50 day).
    static func period(from node: DocNode) -> Tariff.Period? {
        let type = (node.attribute("type") ?? "month").lowercased()
        let length = Int(node.attribute("length") ?? "") ?? 1
        // No license is sold for ten thousand months, years or days: a longer period is the
        // remote's mistake, and a term reckoned with it would overflow every date.
        guard (0...10_000).contains(length) else { return nil }
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
        return Tariff.Period(
            id: id, type: type, length: length, cost: cost(node.attribute("cost") ?? node["cost"].text))
    }

    /// A period's cost as licmgr keeps it: the remote's text when it is a plain amount
    /// (`490.0000`), else the same amount written for a person (`1 490,00 RUB`: blanks between
    /// digit groups, a decimal comma, a currency around it) in plain form. Anything else is kept
    /// as written: a cost licmgr cannot read is an unknown price, never a guessed one.
    static func cost(_ text: String?) -> String {
        let written = text?.trimmingBlanks() ?? ""
        guard !written.isEmpty, Money.price(written) == nil,
            let first = written.firstIndex(where: \.isASCIIDigit), let last = written.lastIndex(where: \.isASCIIDigit)
        else { return written }
        let before = written[..<first]
        let after = written[written.index(after: last)...]
        // A sign (a dash for one too) is no currency, and a mark beside the digits (`.5`, `12,`)
        // leaves the number unsure.
        guard (before + after).allSatisfy({ !$0.isNumber && $0 != "+" && !Money.minusSigns.contains($0) }),
            !(before.last.map { ".,".contains($0) } ?? false), !(after.first.map { ".,".contains($0) } ?? false)
        else { return written }
        var number = written[first...last].filter { !$0.isWhitespace }
        // One mark before three digits may part thousands (`1,490`, `1.490`): a thousand as well as
        // a price. One before other digits is the decimal mark.
        let marks = number.filter { ".,".contains($0) }
        if let mark = marks.first, marks.count == 1 {
            guard number.split(separator: mark, omittingEmptySubsequences: false)[1].count != 3 else { return written }
            number = number.replacing(",", with: ".")
        }
        return Money.price(number) == nil ? written : number
    }

    /// Reads one license row of a list or a view; the remote sends every value as a string.
    /// A row's `pricelist` is the tariff's id (as its text, or as `$orig` beside its name), or
    /// (BILLmanager 6's "Tariff plan" column) its name alone, which is kept for the engine to
    /// resolve with `pricelist` left 0. A view's
    /// `pricelist` is a select: its value is the id, and the select's options name it.
    /// BILLmanager 6 rows carry the change dates as `real_ipchange` and `real_keychange`.
    /// `view`: the node is an edit form, which may carry no status; a list row must.
    static func license(from node: DocNode, function: String, fallbackID: Int? = nil, view: Bool = false)
        throws(RemoteError) -> License
    {
        guard let id = node.int("id") ?? node.int("elid") ?? fallbackID else {
            throw .notProtocol(function: function, detail: "a license row without an id")
        }
        func day(_ field: String) throws(RemoteError) -> Day? {
            try Self.day(field, of: node, function: function, license: id)
        }
        let unsaid = view && statusReading(of: node) == nil
        let status = unsaid ? .ordered : try Self.status(of: node, function: function, license: id)
        let tariff = node["pricelist"].text?.trimmingBlanks()
        let pricelist = Self.code("pricelist", of: node) ?? node.int("pricelist_id")
        let options = options(of: node, select: "pricelist")
        let tariffName = pricelist.map { id in options.first { $0.key == String(id) }?.text } ?? tariff
        let ip = node["ip"].text?.trimmingBlanks() ?? ""
        var license = License(
            id: id, name: node["licname"].text ?? "", ip: IPAddress.canonical(ip) ?? ip,
            pricelist: pricelist ?? 0, tariffName: tariffName, period: Self.code("period", of: node), status: status,
            expires: try day("expiredate"), created: try day("createdate"),
            remoteID: node["remoteid"].text, autoprolong: node["autoprolong"].text,
            ipChanged: try day("real_ipchange"), keyChanged: try day("real_keychange"))
        license.statusUnsaid = unsaid
        // A select offering the license's own tariff alone says nothing of other tariffs' names.
        if let tariffName, pricelist != nil, options.count > 1 {
            license.tariffNameIsUnique = options.filter { $0.text == tariffName }.count == 1
        }
        return license
    }

    /// The options of a form's select `select`, from the form's `slist` elements
    /// (`{"$name": "pricelist", "val": [{"$key": "55227", "$": "ISPmanager 6 Lite"}]}`).
    static func options(of form: DocNode, select: String) -> [(key: String, text: String)] {
        form["slist"].elements.filter { $0.attribute("name") == select }.flatMap { list in
            list["val"].elements.compactMap { option in
                option.attribute("key").map { ($0, option.text ?? "") }
            }
        }
    }
}
