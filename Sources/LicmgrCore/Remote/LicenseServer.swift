/// A new license to buy.
public struct OrderRequest: Sendable, Equatable {
    public var pricelist: Int
    public var line: ProductLine
    public var period: Int
    public var ip: String
    public var name: String
    /// The journal's operation key, so that the remote list can tell which order made a license.
    public var remoteID: String
    /// The tariff's counted parts, sent as `addon_<id>=<count>`.
    public var addons: [AddonCount]

    /// How many of a tariff's counted part (nodes) an order buys.
    public struct AddonCount: Sendable, Equatable {
        public var id: Int
        public var count: Int

        public init(id: Int, count: Int) {
            self.id = id
            self.count = count
        }
    }

    public init(
        pricelist: Int, line: ProductLine = .soft, period: Int, ip: String, name: String, remoteID: String,
        addons: [AddonCount] = []
    ) {
        self.pricelist = pricelist
        self.line = line
        self.period = period
        self.ip = ip
        self.name = name
        self.remoteID = remoteID
        self.addons = addons
    }
}

/// The remote BILLmanager's license functions: the engine's seam to the network.
public protocol LicenseServer {
    /// Every license of the given families on the account, all pages read.
    func listLicenses(lines: [ProductLine]) throws(RemoteError) -> [License]
    /// One license with its key and change dates.
    func viewLicense(_ id: Int, line: ProductLine) throws(RemoteError) -> License
    /// Buys a license; returns its id. Sent with auto-renewal off.
    func order(_ request: OrderRequest) throws(RemoteError) -> Int
    /// Renames a license or moves it to another IP; nil leaves a field as it is.
    func edit(license: Int, line: ProductLine, name: String?, ip: String?) throws(RemoteError)
    /// Makes a new key; returns it when the answer carries it.
    func newKey(license: Int, line: ProductLine) throws(RemoteError) -> String?
    /// Renews for `period`; returns the new expiry when the answer carries it.
    func prolong(license: Int, period: Int) throws(RemoteError) -> Day?
    func changeTariff(license: Int, pricelist: Int, period: Int) throws(RemoteError)
    func suspend(license: Int, line: ProductLine) throws(RemoteError)
    func resume(license: Int, line: ProductLine) throws(RemoteError)
    func delete(license: Int, line: ProductLine) throws(RemoteError)
    /// The remote tariff catalogue, only what the account may order.
    func exportTariffs() throws(RemoteError) -> [Tariff]
    /// The account's balances, one per subaccount the remote lists; rows without a readable
    /// balance are left out.
    func balances() throws(RemoteError) -> [AccountBalance]
    /// The families whose listings this run could not prove whole by `p_elems`, and so read twice.
    var pagingOddities: [PagingOddity] { get }
    /// Makes independent calls with up to `parallel` in flight. `starting(i)` runs just before
    /// call `i` is sent (the journal's moment) and may hold it back by answering false; `each`
    /// gets every answer as it arrives. An error either throws ends the batch once the calls
    /// already sent have answered.
    func perform(
        _ calls: [RemoteCall], parallel: Int, starting: (Int) throws -> Bool, each: RemoteAnswerHandler
    ) throws
}

/// A listing whose `p_elems` is not the list's total: it counts the page, or is absent. Such a
/// list is whole only when every page, read twice, holds the same rows.
public struct PagingOddity: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case notTotal = "is not the list's total"
        case absent = "is absent"
    }

    /// The listing function (`soft`, `softexternal`, `platform`).
    public var function: String
    public var kind: Kind
    /// What this read showed.
    public var detail: String

    public init(function: String, kind: Kind, detail: String) {
        self.function = function
        self.kind = kind
        self.detail = detail
    }

    /// The same from run to run while the remote pages the same way.
    public var summary: String { "\(function): the remote's p_elems \(kind.rawValue)" }

    public var description: String {
        "\(summary) (\(detail)); its listings are proven whole by reading every page twice"
    }
}

extension LicenseServer {
    /// None: a server that is not read in pages has nothing odd about them.
    public var pagingOddities: [PagingOddity] { [] }

    /// The licenses of ISPsystem's own products: the one family every account has.
    public func listLicenses() throws(RemoteError) -> [License] {
        try listLicenses(lines: [.soft])
    }
}

/// One remote call as a value, so that independent calls can go out together.
public enum RemoteCall: Sendable, Equatable {
    case view(license: Int, line: ProductLine)
    case order(OrderRequest)
    case edit(license: Int, line: ProductLine, name: String?, ip: String?)
    case newKey(license: Int, line: ProductLine)
    case prolong(license: Int, period: Int)
    case changeTariff(license: Int, pricelist: Int, period: Int)
    case suspend(license: Int, line: ProductLine)
    case resume(license: Int, line: ProductLine)
    case delete(license: Int, line: ProductLine)
}

extension RemoteCall {
    /// Whether the call changes the remote, and so must never be sent twice.
    public var changes: Bool {
        if case .view = self { return false }
        return true
    }
}

/// What a `RemoteCall` answers, by kind: a viewed license, a new license id, a key, an expiry.
public enum RemoteAnswer: Sendable, Equatable {
    case license(License)
    case ordered(Int)
    case key(String?)
    case expiry(Day?)
    case done
}

/// Answers in the order they arrive; `index` is the call's place in the batch.
public typealias RemoteAnswerHandler = (_ index: Int, _ answer: Result<RemoteAnswer, RemoteError>) throws -> Void

extension LicenseServer {
    /// Makes one call through the typed functions.
    public func perform(_ call: RemoteCall) throws(RemoteError) -> RemoteAnswer {
        switch call {
        case .view(let id, let line): return .license(try viewLicense(id, line: line))
        case .order(let request): return .ordered(try order(request))
        case .newKey(let id, let line): return .key(try newKey(license: id, line: line))
        case .prolong(let id, let period): return .expiry(try prolong(license: id, period: period))
        case .edit(let id, let line, let name, let ip): try edit(license: id, line: line, name: name, ip: ip)
        case .changeTariff(let id, let pricelist, let period):
            try changeTariff(license: id, pricelist: pricelist, period: period)
        case .suspend(let id, let line): try suspend(license: id, line: line)
        case .resume(let id, let line): try resume(license: id, line: line)
        case .delete(let id, let line): try delete(license: id, line: line)
        }
        return .done
    }

    /// One call after another: a server that cannot overlap calls still answers a batch.
    public func perform(
        _ calls: [RemoteCall], parallel: Int, starting: (Int) throws -> Bool, each: RemoteAnswerHandler
    ) throws {
        for (index, call) in calls.enumerated() where try starting(index) {
            let answer: Result<RemoteAnswer, RemoteError>
            do {
                answer = .success(try perform(call))
            } catch {
                answer = .failure(error)
            }
            try each(index, answer)
        }
    }

    /// Reads that need no journal: every call is sent.
    public func perform(_ calls: [RemoteCall], parallel: Int, each: RemoteAnswerHandler) throws {
        try perform(calls, parallel: parallel, starting: { _ in true }, each: each)
    }
}
