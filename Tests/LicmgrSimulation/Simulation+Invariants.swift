import LicmgrCore

/// The promises, checked against the remote's truth and what licmgr committed: after every run
/// loosely (a step in doubt or a workflow under way may explain a state), at quiescence strictly.
extension Simulation {
    /// A need: a service's addon that asks for a tariff.
    struct Need {
        var addon: String
        var tariff: Int
        var product: String { SimCatalogue.product(tariff) }
    }

    static func needs(of service: Service) -> [Need] {
        service.addons.keys.sorted().compactMap { key in
            SimCatalogue.tariff(addon: key, value: service.addons[key]!).map { Need(addon: key, tariff: $0) }
        }
    }

    /// The service a license serves: by its name, which licmgr gives every license it places,
    /// else by what licmgr recorded (a license found on the account keeps its name a while).
    func owner(of license: License, known: License?) -> Int? {
        let prefix = "Item #"
        if license.name.hasPrefix(prefix) {
            let digits = license.name.dropFirst(prefix.count).prefix { $0.isNumber }
            if let id = Int(digits), license.name.dropFirst(prefix.count + digits.count).hasPrefix(" addon ") {
                return id
            }
        }
        guard let known, !known.gone else { return nil }
        return known.serviceID
    }

    private func services() -> [Int: Service] {
        let all = (try? checker.services(includeClosed: true)) ?? []
        return Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func knownLicenses() -> [Int: License] {
        let all = (try? checker.allLicenses()) ?? []
        return Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The live licenses on the remote that serve `service`'s product `product`, but `except`.
    private func serving(_ service: Int, _ product: String, except: Int, known: [Int: License]) -> [Int] {
        remote.entries.keys.sorted().filter { id in
            guard id != except, let license = remote.entries[id]?.license, license.status != .deleted else {
                return false
            }
            return SimCatalogue.product(license.pricelist) == product
                && owner(of: license, known: known[id]) == service
        }
    }

    /// Judges a payment at the instant the remote takes it: an order only for a need that has
    /// no license, a renewal only of a serving license whose paid term has run out, a tariff
    /// change only to the tariff its service needs.
    func judge(_ charge: RemoteModel.Charge) {
        let license = charge.after
        let known = knownLicenses()
        let services = services()
        let what = "the \(charge.kind.rawValue) of license \(license.id) (tariff \(license.pricelist), \(license.ip))"
        guard let owner = owner(of: license, known: known[license.id]), let service = services[owner] else {
            return violation("\(what) was paid, but the license, named '\(license.name)', serves no service")
        }
        let product = SimCatalogue.product(license.pricelist)
        let need = Self.needs(of: service).first { $0.product == product }
        // A call applied late was right or wrong by the state it was sent in: only its term is judged
        // here; a second license it makes is seen after the run.
        if charge.late && charge.kind != .renewal { return }
        switch charge.kind {
        case .order:
            guard service.status != .closed, let need, need.tariff == license.pricelist, service.ip == license.ip else {
                return violation(
                    "\(what) was paid for service \(owner), which needs no such license (\(service.ip), "
                        + "\(Service.addonSummary(service.addons)), \(service.status.rawValue))")
            }
            let others = serving(owner, product, except: license.id, known: known)
            if !others.isEmpty {
                violation(
                    "\(what) was paid for service \(owner), which had license \(others.map(String.init).joined(separator: ", ")) "
                        + "of \(product) live already")
            }
        case .renewal:
            guard charge.late || service.status == .active && need != nil && !license.isParked else {
                return violation(
                    "\(what) was paid for service \(owner), which is \(service.status.rawValue) and needs "
                        + (need.map { "tariff \($0.tariff)" } ?? "no \(product)"))
            }
            if let previous = charge.previousTerm {
                let end = previous.start.adding(months: previous.months)
                let dueDay = charge.sentOn.adding(days: settings.renewBefore)
                if end > dueDay {
                    violation(
                        "\(what) was paid on \(charge.sentOn), but the term paid on \(previous.start) runs until \(end) "
                            + "(RenewBefore \(settings.renewBefore)): a second payment for one term")
                }
            }
        case .tariffChange:
            if charge.before?.pricelist == license.pricelist {
                violation("\(what) was paid, but the license had that tariff already")
            } else if service.status == .closed || need?.tariff != license.pricelist {
                violation(
                    "\(what) was paid, but service \(owner) (\(service.status.rawValue)) needs "
                        + (need.map { "tariff \($0.tariff)" } ?? "none"))
            }
        }
    }

    /// The checks after a run; `strictProblems` adds those of quiescence.
    func check(strict: Bool) {
        for problem in problems(strict: false) { violation(problem) }
    }

    func strictProblems() -> [String] { problems(strict: true) }

    private func problems(strict: Bool) -> [String] {
        var problems: [String] = []
        let services = services()
        let known = knownLicenses()
        let pending = (try? checker.operations(state: .pending)) ?? []
        let open = (try? checker.openWorkflows()) ?? []
        // What a step in doubt or an open workflow holds may be half way; an order in doubt holds
        // the license carrying its key, which licmgr may not know yet.
        var busy = Set(pending.compactMap(\.licenseID)).union(open.flatMap(\.licenseIDs))
        let ordering = Set(pending.filter { $0.kind == .order }.map(\.key))
        for (id, entry) in remote.entries where entry.license.remoteID.map(ordering.contains) == true {
            busy.insert(id)
        }
        for license in known.values where license.serviceID != nil { remote.track(license.id) }

        // Never two live licenses for one need.
        var byNeed: [String: [Int]] = [:]
        for id in remote.entries.keys.sorted() {
            let license = remote.entries[id]!.license
            guard license.status != .deleted, let owner = owner(of: license, known: known[id]),
                let service = services[owner], service.status != .closed
            else { continue }
            let product = SimCatalogue.product(license.pricelist)
            guard Self.needs(of: service).contains(where: { $0.product == product }) else { continue }
            byNeed["service \(owner) (\(product))", default: []].append(id)
        }
        for need in byNeed.keys.sorted() {
            let ids = byNeed[need]!
            guard ids.count > 1, strict || !ids.contains(where: busy.contains) else { continue }
            problems.append("\(need) has \(ids.count) live licenses: \(ids.map(String.init).joined(separator: ", "))")
        }

        // No paid license lost: each serves, sits in the pool, or was deleted on purpose.
        for id in remote.entries.keys.sorted() {
            let entry = remote.entries[id]!
            guard entry.tracked, entry.license.status != .deleted else { continue }
            let record = known[id]
            let attachedTo = record?.serviceID.flatMap { services[$0] }
            let serving: Bool
            if strict {
                let product = SimCatalogue.product(entry.license.pricelist)
                serving =
                    record?.gone == false
                    && attachedTo.map { service in
                        // A suspended service keeps its licenses as they are until it is resumed.
                        service.status == .suspended
                            || service.status == .active && Self.needs(of: service).contains { $0.product == product }
                    } == true
            } else {
                serving = attachedTo != nil
            }
            let pooled = entry.license.isParked && record?.serviceID == nil
            if serving || pooled || (!strict && busy.contains(id)) { continue }
            problems.append(
                "license \(id) ('\(entry.license.name)' on \(entry.license.ip), \(entry.license.status.name)), which "
                    + "licmgr paid for or took in, is neither serving, in the free pool nor deleted "
                    + "(recorded: \(record.map { "service \($0.serviceID.map(String.init) ?? "none")\($0.gone ? ", gone" : "")" } ?? "unknown"))"
            )
        }

        // A reused license ends with a new key, and licmgr records the key the remote has.
        for id in remote.entries.keys.sorted() {
            let entry = remote.entries[id]!
            guard entry.license.status != .deleted, entry.needsNewKey, !entry.license.isParked,
                strict || !busy.contains(id)
            else { continue }
            problems.append(
                "license \(id) left the free pool and serves '\(entry.license.name)' with its last owner's key")
        }
        for id in known.keys.sorted() {
            let record = known[id]!
            guard let key = record.key, record.isLive, let truth = remote.entries[id]?.license,
                truth.status != .deleted, truth.key != key, strict || !busy.contains(id)
            else { continue }
            problems.append("license \(id): licmgr records key \(key), the remote has \(truth.key ?? "none")")
        }

        guard strict else { return problems }
        if !pending.isEmpty {
            problems.append(
                "steps still in doubt: " + pending.map { "\($0.kind.rawValue) \($0.key)" }.joined(separator: ", "))
        }
        if !open.isEmpty {
            problems.append(
                "workflows still open: "
                    + open.map { "\($0.kind.rawValue) of license \($0.licenseID)" }.joined(separator: ", "))
        }
        // Every need of an active service served by one license as it should be; a suspended
        // service's license suspended.
        for id in services.keys.sorted() {
            let service = services[id]!
            guard service.status != .closed else { continue }
            for need in Self.needs(of: service) {
                let attached = known.values.filter { $0.serviceID == id && $0.addon == need.addon && $0.isLive }
                    .map(\.id).sorted()
                guard attached.count == 1, let truth = remote.entries[attached[0]]?.license else {
                    if service.status == .active || attached.count > 1 {
                        problems.append(
                            "service \(id) addon \(need.addon) is served by \(attached.count) licenses: \(attached)")
                    }
                    continue
                }
                // A suspended service's license is suspended, and follows changes once it is resumed.
                if service.status == .suspended {
                    if truth.status != .suspended {
                        problems.append("service \(id) is suspended, its license \(truth.id) is \(truth.status.name)")
                    }
                } else if truth.pricelist != need.tariff || truth.ip != service.ip
                    || truth.name != service.licenseName()
                    || truth.status != .active
                {
                    problems.append(
                        "service \(id) addon \(need.addon) (tariff \(need.tariff), \(service.ip), \(service.status.rawValue)) "
                            + "is served by license \(truth.id): tariff \(truth.pricelist), \(truth.ip), '\(truth.name)', "
                            + truth.status.name)
                }
            }
        }
        if let integrity = try? checker.db.query("PRAGMA integrity_check").first?.string("integrity_check"),
            integrity != "ok"
        {
            problems.append("PRAGMA integrity_check: \(integrity)")
        }
        return problems
    }
}
