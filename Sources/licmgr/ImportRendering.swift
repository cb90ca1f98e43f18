import LicmgrCore

/// How an import's changes are shown, by `service import` and by `checkevent` for its
/// `ServiceSource`: one line per service added, changed or closed, with what the next
/// `checkevent` would buy for it; in JSON, each field's old and new value.
enum ImportRendering {
    /// The counts, the changes and, when every price is known, their total.
    static func json(_ result: ImportResult, dryRun: Bool) -> JSONObject {
        let total = result.total
        return [
            "added": .int(result.added), "changed": .int(result.changed), "unchanged": .int(result.unchanged),
            "closed": JSONValue(result.closed.map(\.id)), "dry_run": .bool(dryRun),
            "changes": .array(result.changes.map { .object(change($0)) }),
            "cost": JSONValue(money: total?.amount), "currency": JSONValue(total?.currency ?? nil),
            "unpriced": .int(result.unpricedCosts),
        ]
    }

    static func change(_ change: ImportChange) -> JSONObject {
        var fields = JSONObject(members: [])
        for field in change.fields {
            fields.set(
                field, ["old": change.old.map { value(field, of: $0) } ?? .null, "new": value(field, of: change.new)])
        }
        return [
            "service_id": .int(change.new.id), "change": .string(change.kind.rawValue), "fields": .object(fields),
            "costs": .array(
                change.costs.map { cost in
                    [
                        "step": .string(cost.step.rawValue), "addon": .string(cost.addon), "tariff": .int(cost.tariff),
                        "tariff_name": JSONValue(cost.tariffName), "period": JSONValue(cost.period),
                        "license_id": JSONValue(cost.licenseID), "cost": JSONValue(money: cost.amount),
                        "currency": JSONValue(cost.currency),
                    ]
                }),
        ]
    }

    /// A field as `service list --json` gives it.
    private static func value(_ field: String, of service: Service) -> JSONValue {
        switch field {
        case "name": return .string(service.name)
        case "ip": return .string(service.ip)
        case "package": return JSONValue(service.package)
        case "period": return JSONValue(service.period)
        case "addons": return JSONValue(service.addons)
        default: return .string(service.status.rawValue)
        }
    }

    /// `would change service 7 (vps7): ip 10.0.0.7 -> 10.0.0.8, addons panel=Lite -> panel=Pro;
    /// next checkevent: change license 100001 to tariff 55228, 1 month: 20.00 EUR`; without
    /// `costs` for a checkevent that buys them itself, with lines of its own.
    static func line(_ change: ImportChange, dryRun: Bool, costs withCosts: Bool = true) -> String {
        let costs = withCosts ? Self.costText(change) : ""
        let service = change.new
        switch change.kind {
        case .closed:
            return "\(dryRun ? "would close" : "closed") service \(service.id) (\(service.name), \(service.ip)): "
                + "absent from the export"
        case .added:
            return "\(dryRun ? "would add" : "added") service \(service.id): \(change.summary)" + costs
        case .changed:
            return "\(dryRun ? "would change" : "changed") service \(service.id) (\(service.name)): \(change.summary)"
                + costs
        }
    }

    private static func costText(_ change: ImportChange) -> String {
        change.costs.isEmpty ? "" : "; next checkevent: " + change.costs.map(\.text).joined(separator: "; ")
    }

    /// What the changes would cost the next checkevent, for the summary line: nil when nothing.
    static func money(_ result: ImportResult) -> String? {
        guard result.changes.contains(where: { !$0.costs.isEmpty }) else { return nil }
        let unpriced = result.unpricedCosts
        var sums: [String: Int] = [:]
        for change in result.changes {
            for cost in change.costs {
                if let amount = cost.amount { sums[cost.currency ?? "", default: 0] += amount }
            }
        }
        let priced = sums.sorted { $0.key < $1.key }.map {
            Money.format($0.value) + ($0.key.isEmpty ? "" : " \($0.key)")
        }
        let unknown = "\(unpriced) purchase(s) of unknown price (run 'licmgr import-tariffs')"
        guard !priced.isEmpty else { return "the next checkevent makes \(unknown) for them" }
        let text = priced.joined(separator: " + ") + (unpriced > 0 ? " and \(unknown)" : "")
        return "the next checkevent may spend \(text) on them"
    }
}
