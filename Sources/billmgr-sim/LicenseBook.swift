/// An in-band BILLmanager error: HTTP 200 with `doc.error`.
struct APIError: Error {
    let type: String
    /// Empty when the error names no object.
    let object: String
    let msg: String
    var code: String?
    /// The `param` elements the real server explains some errors with, in order.
    var params: [(String, String)] = []

    init(_ type: String, _ object: String, _ msg: String) {
        (self.type, self.object, self.msg) = (type, object, msg)
    }

    static let badCredentials = APIError("auth", "badpassword", "Invalid username or password")
    /// The project's first guess at a refusal for lack of funds.
    static let noFunds = APIError("account", "balance", "insufficient funds")

    /// How BILLmanager 6 answers a call whose session has died: as a lack of rights, not of credentials.
    static func deadSession(_ function: String) -> APIError {
        APIError("access", function, "Insufficient privileges to perform the function")
    }

    /// The refusal for lack of funds as the vendor's knowledge base shows it (`funds` dialect):
    /// type `not_enough_money`, code 1, what is needed and what the account has as `param`s,
    /// the needed amounts with four decimals, the account's with two, as in its example.
    static func notEnoughMoney(amount: Int, have: Int) -> APIError {
        let deficit = max(0, amount - have)
        var error = APIError(
            "not_enough_money", "",
            "insufficient funds to complete the operation. Required amount \(Money.format4(amount)) EUR. "
                + "Your current balance: \(Money.format(have)) EUR, credit limit 0.00")
        error.code = "1"
        error.params = [
            ("amount", Money.format4(amount)), ("have", Money.format(have)), ("currency", "EUR"),
            ("deficit", Money.format4(deficit)), ("limit", "0.00"), ("reserved", "0.00"),
            ("available", Money.format(have)),
        ]
        return error
    }

    static func invalid(_ field: String) -> APIError {
        APIError("value", field, "The value of the '\(field)' field is invalid")
    }

    var elem: Elem {
        var attributes = [("type", type)]
        if !object.isEmpty { attributes.append(("object", object)) }
        if let code { attributes += [("lang", "en"), ("code", code)] }
        let params = params.map { ("param", Elem(attributes: [("name", $0.0)], text: $0.1)) }
        return Elem(attributes: attributes, children: params + [("msg", .text(msg))])
    }
}

/// The simulated billing account: licenses, money, sessions, the call log and scripted faults.
/// One actor so every API call sees and changes the account atomically, as one server transaction would.
actor LicenseBook {
    struct Config: Sendable {
        let user: String
        let password: String
        let balance: Int
        let maxPage: Int
        let processingViews: Int
        let today: Day
        let logsCalls: Bool
        let dialect: Dialect
        /// Calls a session answers before it dies; 0 for sessions that outlive the run.
        let sessionCalls: Int
    }

    /// The page cap of the paging trait when `--max-page` names none: small, so that a test's
    /// handful of licenses spans pages.
    static let silentPageCap = 3
    /// How many calls a session answers under the session-access trait unless told.
    static let shortSessionCalls = 5

    private struct Call {
        let function: String
        let params: [(String, String)]
        let result: String
    }

    /// Never written to the call log, so test output can be shared without leaking credentials.
    private static let secretParams: Set = ["authinfo", "password", "username", "auth"]

    private let config: Config
    private var licenses = LicenseTable()
    private var nextID = License.firstID
    private var balance: Int
    private var spent = 0
    /// Prices set by `/sim/price`, by "tariff/period", over the catalogue's.
    private var prices: [String: Int] = [:]
    private var today: Day
    /// Live sessions and the calls each has left (ignored when `sessionCalls` is 0).
    private var sessions: [String: Int] = [:]
    /// Every session handed out since the last reset, dead ones too.
    private var issuedSessions: [String] = []
    private var calls: [Call] = []
    /// Calls by function since the last reset: what a benchmark asks for, cheap however long the log.
    private var callCounts: [String: Int] = [:]
    private var faults: [Fault] = []
    /// Requests by User-Agent header since the last reset, "(none)" for a request without one.
    private var agents: [String: Int] = [:]

    init(config: Config) {
        self.config = config
        balance = config.balance
        today = config.today
    }

    // MARK: API

    /// Runs one API call and logs it; `fault` replaces the logged result when the client will not see the answer as sent.
    func call(_ function: String, _ params: Params, fault: Fault.Kind? = nil) -> DocJSON {
        listingFault = fault.flatMap { $0.distortsListing ? $0 : nil }
        defer { listingFault = nil }
        let answer: [(String, Elem)]
        let result: String
        do {
            answer = try dispatch(function, params)
            result = "ok"
        } catch {
            answer = [("error", error.elem)]
            result = "error:\(error.type)"
        }
        // A refusal is logged as one whatever the fault, so that a slowed call refused is not counted as done.
        log(function, params, result: fault.flatMap { result == "ok" ? "fault:\($0.rawValue)" : nil } ?? result)
        return Elem.doc(answer)
    }

    func log(_ function: String, _ params: Params, result: String) {
        callCounts[function, default: 0] += 1
        guard config.logsCalls else { return }
        calls.append(
            Call(function: function, params: params.pairs.filter { !Self.secretParams.contains($0.0) }, result: result))
    }

    private func dispatch(_ function: String, _ params: Params) throws(APIError) -> [(String, Elem)] {
        if function == "auth" { return try authenticate(params) }
        try authorise(params, function: function)
        // Third-party and version-6 platform licenses use the same verbs under other prefixes,
        // and each prefix sees only its own licenses; `service.*` calls work on any.
        var verb = function
        family = function.hasPrefix("service.") ? nil : "soft"
        for prefix in ["softexternal", "platform"] where verb == prefix || verb.hasPrefix(prefix + ".") {
            verb = "soft" + verb.dropFirst(prefix.count)
            family = prefix
        }
        switch verb {
        case "soft": return list(params)
        case "soft.order.param": return try order(params)
        case "soft.edit": return try edit(params)
        case "soft.checkip": return try checkIP(params)
        case "soft.suspend": return try setStatus(params, 3)
        case "soft.resume": return try setStatus(params, 2)
        case "soft.delete": return try setStatus(params, 4)
        case "service.prolong": return try prolong(params)
        case "service.changepricelist": return try changeTariff(params)
        case "subaccount": return account()
        case "pricelist.export":
            return Catalogue.export(
                onlyAvailable: params["onlyavailable"] == "on", itemtype: params["itemtype"], dialect: config.dialect
            ) { money(cost($0, $1)) }
        default: throw APIError("missed", function, "Unknown function")
        }
    }

    private func authenticate(_ params: Params) throws(APIError) -> [(String, Elem)] {
        guard params["username"] == config.user, params["password"] == config.password else { throw .badCredentials }
        let session = randomHex(32)
        sessions[session] = config.sessionCalls
        issuedSessions.append(session)
        return [("auth", Elem(attributes: [("id", session)], text: session))]
    }

    private func authorise(_ params: Params, function: String) throws(APIError) {
        if let info = params["authinfo"], let colon = info.firstIndex(of: ":"),
            info[..<colon] == config.user, info[info.index(after: colon)...] == config.password
        {
            return
        }
        if let session = params["auth"] {
            if let left = sessions[session] {
                if config.sessionCalls > 0 {
                    sessions[session] = left > 1 ? left - 1 : nil
                }
                return
            }
            if config.dialect.contains(.sessionAccess) { throw .deadSession(function) }
        }
        throw .badCredentials
    }

    private func list(_ params: Params) -> [(String, Elem)] {
        var size = Int(params["p_cnt"] ?? "") ?? 100
        if size <= 0 { size = 100 }
        if config.maxPage > 0 { size = min(size, config.maxPage) }
        let number = max(Int(params["p_num"] ?? "") ?? 1, 1)
        var ids = licenses.ids(family: family)
        if listingFault == .hide { ids = Array(ids.prefix(1)) }
        var (start, overflow) = (number - 1).multipliedReportingOverflow(by: size)
        if listingFault == .shift { start += 1 }
        var page = overflow ? [] : Array(ids.dropFirst(start).prefix(size))
        switch listingFault {
        case .shortPage: page = page.dropLast()
        case .emptyPage: page = []
        default: break
        }
        let rows = page.map { id in
            advanceProcessing(id)
            return ("elem", licenses[id]!.listElem(config.dialect))
        }
        // The paging trait: p_elems counts the page, and the cap it applied goes unsaid.
        let countsPage = listingFault == .countPage || config.dialect.contains(.paging)
        let total = countsPage ? page.count : ids.count
        let cap: [(String, Elem)] = config.dialect.contains(.paging) ? [] : [("p_cnt", .text(String(size)))]
        return [("p_elems", .text(String(total))), ("p_num", .text(String(number)))] + cap + rows
    }

    /// The listing fault of the call being served, if any.
    private var listingFault: Fault.Kind?

    private func order(_ params: Params) throws(APIError) -> [(String, Elem)] {
        // Without `sok` the real server only shows the order form; nothing is bought.
        guard !(params["sok"] ?? "").isEmpty else { return [] }
        let (tariff, period) = try sellable(params)
        guard Catalogue.family(ofTariff: tariff.id) == family else { throw .invalid("pricelist") }
        if config.dialect.contains(.addons) {
            for addon in tariff.addons where (Int(params["addon_\(addon.id)"] ?? "") ?? 0) < addon.minimum {
                throw .invalid("addon_\(addon.id)")
            }
        }
        let ip = params["ip"] ?? ""
        try ensureFree(ip: ip, tariff: tariff.id)
        // A new license: no other edition of the product may hold the IP either. Edits and
        // tariff changes of a license already there are held to its own tariff only.
        let product = Catalogue.product(ofTariff: tariff.id)
        if ip != "0.0.0.0",
            licenses.holders(of: ip).contains(where: {
                $0.isLive && Catalogue.product(ofTariff: $0.pricelist) == product
            })
        {
            throw APIError("exists", "ip", "a license with the same IP address already exists")
        }
        try charge(cost(tariff, period))
        var license = License(id: nextID, today: today)
        nextID += 1
        license.pricelist = tariff.id
        license.period = period.id
        license.ip = ip
        license.licname = params["licname"] ?? ""
        license.remoteid = params["remoteid"] ?? ""
        license.autoprolong = params["autoprolong"] ?? "off"
        license.expiredate = period.expiry(from: today)
        if config.processingViews > 0 {
            license.status = 5
            license.lickey = ""
            license.processingLeft = config.processingViews
        }
        licenses.put(license)
        let id = String(license.id)
        return [("id", .text(id)), ("item.id", .text(id))]
    }

    private func edit(_ params: Params) throws(APIError) -> [(String, Elem)] {
        guard !(params["sok"] ?? "").isEmpty else {
            let id = try existing(params).id
            advanceProcessing(id)
            return licenses[id]!.viewElems(config.dialect)
        }
        var license = try live(params)
        if params["clicked_button"] == "newkey" {
            license.lickey = randomHex(32)
            license.lickeyChangeDate = today
            licenses.put(license)
            return [("lickey", .text(license.lickey))]
        }
        if let ip = params["ip"], ip != license.ip {
            try ensureFree(ip: ip, tariff: license.pricelist, except: license.id)
            license.ip = ip
            license.ipChangeDate = today
        }
        if let name = params["licname"] { license.licname = name }
        if let remoteid = params["remoteid"] { license.remoteid = remoteid }
        if let autoprolong = params["autoprolong"] { license.autoprolong = autoprolong }
        licenses.put(license)
        return Self.ok
    }

    private func checkIP(_ params: Params) throws(APIError) -> [(String, Elem)] {
        let (tariff, _) = try sellable(params)
        try ensureFree(ip: params["ip"] ?? "", tariff: tariff.id)
        return Self.ok
    }

    private func setStatus(_ params: Params, _ status: Int) throws(APIError) -> [(String, Elem)] {
        var license = try live(params)
        license.status = status
        licenses.put(license)
        return Self.ok
    }

    private func prolong(_ params: Params) throws(APIError) -> [(String, Elem)] {
        var license = try live(params)
        guard !license.noprolong else {
            throw APIError("value", "elid", "licenses with a 100% discount cannot be renewed")
        }
        // Existing licenses renew even on a tariff no longer offered for new orders.
        guard let tariff = Catalogue.tariff(license.pricelist), let period = tariff.period(params["period"]) else {
            throw .invalid("period")
        }
        try charge(cost(tariff, period))
        if license.status == 3, license.expiredate < today { license.status = 2 }
        license.expiredate = period.expiry(from: max(today, license.expiredate))
        licenses.put(license)
        return [("doc", Elem(children: [("newexpiredate", .text(license.expiredate.description))]))]
    }

    private func changeTariff(_ params: Params) throws(APIError) -> [(String, Elem)] {
        var license = try live(params)
        let (tariff, period) = try sellable(params)
        try ensureFree(ip: license.ip, tariff: tariff.id, except: license.id, validate: false)
        try charge(cost(tariff, period))
        license.pricelist = tariff.id
        license.period = period.id
        licenses.put(license)
        return Self.ok
    }

    private static let ok: [(String, Elem)] = [("ok", Elem())]

    /// The account's one subaccount, in the catalogue's currency.
    private func account() -> [(String, Elem)] {
        [
            (
                "elem",
                Elem.fields([("id", "1"), ("name", "EUR"), ("balance", money(balance)), ("currency", "EUR")])
            )
        ]
    }

    /// The function prefix of the call being served (`soft`, `softexternal`, `platform`), or
    /// nil for `service.*` calls, which reach licenses of every family.
    private var family: String? = "soft"

    private func existing(_ params: Params) throws(APIError) -> License {
        guard let id = Int(params["elid"] ?? ""), let license = licenses[id],
            family == nil || Catalogue.family(ofTariff: license.pricelist) == family
        else { throw .invalid("elid") }
        return license
    }

    /// Deleted licenses are only visible; every change to one is refused.
    private func live(_ params: Params) throws(APIError) -> License {
        let license = try existing(params)
        guard license.status != 4 else { throw .invalid("elid") }
        return license
    }

    private func sellable(_ params: Params) throws(APIError) -> (Tariff, Period) {
        guard let tariff = Catalogue.tariff(params["pricelist"]), tariff.active else { throw .invalid("pricelist") }
        guard let period = tariff.period(params["period"]) else { throw .invalid("period") }
        return (tariff, period)
    }

    /// One live license per IP and tariff; 0.0.0.0 is the parking address of the free pool, shared by all.
    private func ensureFree(ip: String, tariff: String, except id: Int? = nil, validate: Bool = true) throws(APIError) {
        if validate, !IPAddress.isV4(ip), !IPAddress.isV6(ip) { throw .invalid("ip") }
        guard ip != "0.0.0.0" else { return }
        if licenses.holders(of: ip).contains(where: { $0.id != id && $0.isLive && $0.pricelist == tariff }) {
            throw APIError("exists", "ip", "a license with the same IP address already exists")
        }
    }

    private func charge(_ amount: Int) throws(APIError) {
        guard balance >= amount else {
            throw config.dialect.contains(.funds) ? .notEnoughMoney(amount: amount, have: balance) : .noFunds
        }
        balance -= amount
        spent += amount
    }

    /// What a period of a tariff costs this account.
    private func cost(_ tariff: Tariff, _ period: Period) -> Int {
        prices["\(tariff.id)/\(period.id)"] ?? period.cost
    }

    /// An amount as the API writes it: four decimals in the `money4` dialect.
    private func money(_ amount: Int) -> String {
        config.dialect.contains(.money4) ? Money.format4(amount) : Money.format(amount)
    }

    /// A new order shows status 5 for its first N views, then turns active with a key on the next.
    private func advanceProcessing(_ id: Int) {
        guard var license = licenses[id], license.status == 5 else { return }
        if license.processingLeft > 0 {
            license.processingLeft -= 1
        } else {
            license.status = 2
            if license.lickey.isEmpty {
                license.lickey = randomHex(32)
                license.lickeyChangeDate = today
            }
        }
        licenses.put(license)
    }

    // MARK: Control

    func takeFault(for function: String, page: Int) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(function, page: page) }) else { return nil }
        faults[index].times -= 1
        return faults[index].times > 0 ? faults[index] : faults.remove(at: index)
    }

    func addFault(_ fault: Fault) {
        faults.append(fault)
    }

    func clearFaults() {
        faults = []
    }

    /// Every session dies, as when the server restarts.
    func expireSessions() {
        sessions = [:]
    }

    func setToday(_ day: Day) {
        today = day
    }

    func setBalance(_ amount: Int) {
        balance = amount
    }

    /// Prices a period of a tariff as the catalogue does not; a price past the cent only in the
    /// `money4` dialect, since two decimals cannot write it.
    func setPrice(tariff id: String, period periodID: String, _ amount: Int) throws(ControlError) {
        guard let tariff = Catalogue.tariff(id), let period = tariff.period(periodID) else {
            throw ControlError("no tariff \(id) with period \(periodID) in the catalogue")
        }
        guard config.dialect.contains(.money4) || !Money.isPastTheCent(amount) else {
            throw ControlError("a price past the cent needs --dialect money4")
        }
        prices["\(tariff.id)/\(period.id)"] = amount
    }

    func reset() {
        licenses.removeAll()
        nextID = License.firstID
        balance = config.balance
        spent = 0
        prices = [:]
        today = config.today
        sessions = [:]
        issuedSessions = []
        forgetCalls()
        faults = []
    }

    /// Log and counts go together, so a benchmark can count one command's calls at a time.
    func forgetCalls() {
        calls = []
        callCounts = [:]
        agents = [:]
    }

    func noteAgent(_ agent: String?) {
        agents[agent ?? "(none)", default: 0] += 1
    }

    var agentsJSON: DocJSON {
        .object(agents.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
    }

    var callCountsJSON: DocJSON {
        .object(callCounts.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
    }

    /// Seeds all objects or none, so a bad test fixture never leaves a half-built account behind.
    func seed(_ objects: [[String: String]]) throws(ControlError) -> [Int] {
        var added: [License] = []
        var addedIDs = Set<Int>()
        var next = nextID
        for object in objects {
            var id = next
            if let text = object["id"] {
                guard let given = Int(text), given > 0 else { throw ControlError("id must be a positive integer") }
                id = given
            }
            guard licenses[id] == nil, addedIDs.insert(id).inserted else {
                throw ControlError("license \(id) already exists")
            }
            var license = License(id: id, today: today)
            try license.apply(seed: object)
            if license.status == 5 {
                // Seeded like a fresh order: no key until the processing views are spent.
                license.processingLeft = config.processingViews
                if object["lickey"] == nil { license.lickey = "" }
            }
            added.append(license)
            next = max(next, id + 1)
        }
        for license in added { licenses.put(license) }
        nextID = next
        return added.map(\.id)
    }

    /// Changes fields of licenses already on the account, as a person editing them on the
    /// remote would; all objects or none, like `seed`.
    func update(_ objects: [[String: String]]) throws(ControlError) {
        var changed: [Int: License] = [:]
        for object in objects {
            guard let id = object["id"].flatMap({ Int($0) }), let license = changed[id] ?? licenses[id] else {
                throw ControlError("each object needs the id of a license on the account")
            }
            var edited = license
            try edited.apply(seed: object)
            changed[id] = edited
        }
        for license in changed.values { licenses.put(license) }
    }

    var state: DocJSON {
        .object([
            ("licenses", .array(licenses.sortedByID.map(\.stateJSON))),
            (
                "calls",
                .array(
                    calls.map { call in
                        .object([
                            ("func", .string(call.function)),
                            ("params", .object(call.params.map { ($0.0, .string($0.1)) })),
                            ("result", .string(call.result)),
                        ])
                    })
            ),
            ("spent", .string(Money.format(spent))),
            ("balance", .string(Money.format(balance))),
            ("today", .string(today.description)),
            // For tests that check a session id never leaves licmgr where it should not.
            ("sessions", .array(issuedSessions.sorted().map { .string($0) })),
        ])
    }
}
