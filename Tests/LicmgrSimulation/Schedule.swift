import LicmgrCore

/// What can go wrong with one remote call, as the engine sees it through the client.
enum CallFault: String, CaseIterable, Sendable {
    /// An in-band refusal: nothing was done.
    case refused
    /// Applied on the remote; the answer never came back.
    case lostAnswer
    /// Timed out before the remote got it: never applied.
    case timedOut
    /// Timed out, and the remote applies it some minutes later, within `SettleAfter`.
    case appliedLate
    /// HTTP 5xx, nothing applied; or after the remote applied it.
    case serverError, serverErrorApplied
    /// An answer that is not the protocol (a proxy's error page), nothing applied; or after applying.
    case garbage, garbageApplied
    /// The session died: a call in a batch is refused unapplied (the client cannot resend it);
    /// a single call is resent by the client with the password, and goes through.
    case deadSession
    /// The process killed as the call goes out (never applied), or once the remote applied it.
    case killBefore, killAfter
    /// Listings the client finds not whole (a short, empty or shifted page, a wrong total):
    /// a failed read.
    case shortListing, emptyListing, shiftedListing, wrongTotal
    /// A listing consistent with itself that shows its first row only: the client cannot tell.
    case hiddenListing
    /// A new key answered without the key.
    case keyless

    var listingOnly: Bool {
        [.shortListing, .emptyListing, .shiftedListing, .wrongTotal, .hiddenListing].contains(self)
    }
}

/// The faults of one run: those of reads (listings, views) by the read they hit and those of
/// changes by the change they hit, each counted from the run's start, and a kill at a store
/// call. `seed` draws what the run leaves to chance: the order the answers of a batch arrive
/// in, how late a late call is applied.
struct Faults: Equatable, Sendable {
    var seed: UInt64 = 0
    var reads: [Int: CallFault] = [:]
    var changes: [Int: CallFault] = [:]
    var killAtStoreCall: Int?

    static let clean = Faults()
}

/// A remote command of licmgr.
enum Command: Equatable, Sendable {
    case importTariffs
    case checkEvent
    case order([Int])
    case renewDue
    case renew([Int])
    case fixChilds
    case sync
    /// `service set|suspend|resume|close ... --now`: the follow pass for these services.
    case follow([Int])
    /// `newkey` for the license of this service, whichever it is when the run starts.
    case newKey(service: Int)
}

/// A change to licmgr.conf between runs.
enum ConfigChange: Equatable, Sendable {
    case reUseLicense(Bool)
    case useExistingOnUpgrade(Bool)
    case renewBefore(Int)
    /// In whole units of the catalogue's currency; nil for no limit.
    case spendLimit(Int?)
    case parallel(Int)
}

/// Something that happens on the remote behind licmgr's back.
enum RemoteChange: Equatable, Sendable {
    /// The account's balance, in hundredths.
    case balance(Int)
    /// The remote's clock runs this many days ahead (negative: behind) of licmgr's.
    case clockSkew(days: Int)
    /// A license in the free pool whose IP and key last changed `restedDays` ago.
    case freeLicense(tariff: Int, restedDays: Int, expiresInDays: Int)
    /// A license bought by hand, serving nothing licmgr knows.
    case foreignLicense(tariff: Int, ip: String, name: String)
}

/// One step of a schedule.
enum Event: Equatable, Sendable {
    case addService(Int, ip: String, package: Int, period: Int?, addons: [String: String], status: Service.Status)
    /// `service set`; with `now`, carried to the remote at once under these faults.
    case setService(Int, ip: String?, period: Int?, addons: [String: String]?, now: Faults?)
    case setStatus([Int], Service.Status, now: Faults?)
    /// `service import` of every open service but `omit`; with `prune`, those are closed.
    case importServices(omit: [Int], prune: Bool)
    case config(ConfigChange)
    case remote(RemoteChange)
    case pass(minutes: Int)
    case run(Command, Faults)
}

// MARK: - As Swift source, for a regression test

extension Faults {
    var swift: String {
        if self == .clean { return ".clean" }
        func swift(_ faults: [Int: CallFault]) -> String {
            "[" + faults.keys.sorted().map { "\($0): .\(faults[$0]!.rawValue)" }.joined(separator: ", ") + "]"
        }
        var parts = ["seed: \(seed)"]
        if !reads.isEmpty { parts.append("reads: \(swift(reads))") }
        if !changes.isEmpty { parts.append("changes: \(swift(changes))") }
        if let killAtStoreCall { parts.append("killAtStoreCall: \(killAtStoreCall)") }
        return "Faults(\(parts.joined(separator: ", ")))"
    }
}

extension Command {
    var swift: String {
        switch self {
        case .importTariffs: ".importTariffs"
        case .checkEvent: ".checkEvent"
        case .order(let ids): ".order(\(ids))"
        case .renewDue: ".renewDue"
        case .renew(let ids): ".renew(\(ids))"
        case .fixChilds: ".fixChilds"
        case .sync: ".sync"
        case .follow(let ids): ".follow(\(ids))"
        case .newKey(let service): ".newKey(service: \(service))"
        }
    }
}

extension ConfigChange {
    var swift: String {
        switch self {
        case .reUseLicense(let on): ".reUseLicense(\(on))"
        case .useExistingOnUpgrade(let on): ".useExistingOnUpgrade(\(on))"
        case .renewBefore(let days): ".renewBefore(\(days))"
        case .spendLimit(let limit): ".spendLimit(\(limit.map(String.init) ?? "nil"))"
        case .parallel(let count): ".parallel(\(count))"
        }
    }
}

extension RemoteChange {
    var swift: String {
        switch self {
        case .balance(let cents): ".balance(\(cents))"
        case .clockSkew(let days): ".clockSkew(days: \(days))"
        case .freeLicense(let tariff, let rested, let expires):
            ".freeLicense(tariff: \(tariff), restedDays: \(rested), expiresInDays: \(expires))"
        case .foreignLicense(let tariff, let ip, let name):
            ".foreignLicense(tariff: \(tariff), ip: \(quoted(ip)), name: \(quoted(name)))"
        }
    }
}

private func quoted(_ text: String) -> String { "\"\(text)\"" }

private func swift(_ addons: [String: String]) -> String {
    addons.isEmpty
        ? "[:]"
        : "[" + addons.keys.sorted().map { "\(quoted($0)): \(quoted(addons[$0]!))" }.joined(separator: ", ") + "]"
}

extension Event {
    var swift: String {
        switch self {
        case .addService(let id, let ip, let package, let period, let addons, let status):
            return
                ".addService(\(id), ip: \(quoted(ip)), package: \(package), period: \(period.map(String.init) ?? "nil"), "
                + "addons: \(LicmgrSimulation.swift(addons)), status: .\(status.rawValue))"
        case .setService(let id, let ip, let period, let addons, let now):
            return ".setService(\(id), ip: \(ip.map(quoted) ?? "nil"), period: \(period.map(String.init) ?? "nil"), "
                + "addons: \(addons.map(LicmgrSimulation.swift) ?? "nil"), now: \(now?.swift ?? "nil"))"
        case .setStatus(let ids, let status, let now):
            return ".setStatus(\(ids), .\(status.rawValue), now: \(now?.swift ?? "nil"))"
        case .importServices(let omit, let prune): return ".importServices(omit: \(omit), prune: \(prune))"
        case .config(let change): return ".config(\(change.swift))"
        case .remote(let change): return ".remote(\(change.swift))"
        case .pass(let minutes): return ".pass(minutes: \(minutes))"
        case .run(let command, let faults): return ".run(\(command.swift), \(faults.swift))"
        }
    }
}
