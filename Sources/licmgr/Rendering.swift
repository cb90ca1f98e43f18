import LicmgrCore

/// The stable JSON shapes of the contract: snake_case keys, null where a value is absent.
enum Rendering {
    static func license(_ license: License, withKey: Bool = false) -> JSONObject {
        var object: JSONObject = [
            "id": .int(license.id), "name": .string(license.name), "ip": .string(license.ip),
            "pricelist": .int(license.pricelist), "period": JSONValue(license.period),
            "status": .string(license.gone ? "gone" : license.status.name),
            "expires": JSONValue(license.expires?.description), "service_id": JSONValue(license.serviceID),
            "addon": JSONValue(license.addon), "line": .string(license.line.rawValue),
        ]
        if withKey { object.set("key", JSONValue(license.key)) }
        return object
    }

    /// When a parked license becomes reusable, in the words of `list --free`'s REUSABLE column.
    static func reusable(_ reusability: FreePool.Reusability) -> String {
        switch reusability {
        case .now: return "now"
        case .from(let day): return "from \(day)"
        case .never(let why): return "no: \(why)"
        }
    }

    /// A row of `list --free`: `reusable` when the vendor's rule allows its reuse now,
    /// `reusable_from` the day it will, null when it does now or never; `not_reusable` says why
    /// it never will as it is.
    static func freeLicense(_ license: License, today: Day) -> JSONObject {
        var object = Self.license(license)
        let reusability = FreePool.reusability(license, today: today)
        if case .now = reusability {
            object.set("reusable", .bool(true))
        } else {
            object.set("reusable", .bool(false))
        }
        switch reusability {
        case .now:
            object.set("reusable_from", nil)
            object.set("not_reusable", nil)
        case .from(let day):
            object.set("reusable_from", .string(day.description))
            object.set("not_reusable", nil)
        case .never(let why):
            object.set("reusable_from", nil)
            object.set("not_reusable", .string(why))
        }
        return object
    }

    /// A license row of `list` with `monthly_cost` (a number) and `currency`, null when unknown.
    static func unused(_ item: UnusedLicense) -> JSONObject {
        var object = license(item.license)
        object.set("monthly_cost", item.monthlyCost.map { .money($0.amount) } ?? .null)
        object.set("currency", JSONValue(item.monthlyCost?.currency))
        return object
    }

    /// The `unused` object of a report: `count`, `monthly_cost` and `currency` (null when no
    /// price is known, or the prices are in several currencies), `unpriced` (licenses left out).
    static func unusedSummary(_ total: UnusedTotal) -> JSONObject {
        let single = total.single
        return [
            "count": .int(total.count), "monthly_cost": single.map { .money($0.amount) } ?? .null,
            "currency": JSONValue(single?.currency), "unpriced": .int(total.unpriced),
        ]
    }

    /// "3 unused licenses, 42.00 EUR a month (1 of unknown price)", or "no unused licenses".
    static func unusedLine(_ total: UnusedTotal) -> String {
        guard total.count > 0 else { return "no unused licenses" }
        var text = "\(total.count) unused license\(total.count == 1 ? "" : "s")"
        let sums = total.monthly.sorted { $0.key < $1.key }.map { "\(Money.format($0.value)) \($0.key)" }
        if !sums.isEmpty { text += ", \(sums.joined(separator: " + ")) a month" }
        if total.unpriced > 0 {
            text +=
                sums.isEmpty
                ? " (prices unknown: run 'licmgr import-tariffs')" : " (\(total.unpriced) of unknown price)"
        }
        return text
    }

    static func service(_ service: Service, licenses: [License]) -> JSONObject {
        [
            "id": .int(service.id), "name": .string(service.name), "ip": .string(service.ip),
            "package": JSONValue(service.package), "period": JSONValue(service.period),
            "addons": JSONValue(service.addons), "status": .string(service.status.rawValue),
            "licenses": JSONValue(licenses.filter(\.isLive).map(\.id)),
        ]
    }

    static func report(_ report: RunReport) -> JSONObject {
        var object = JSONObject(members: RunReport.Action.allCases.map { ($0.rawValue, .int(report.count($0))) })
        var errors: [JSONValue] = report.failures.map { item in
            var error: JSONObject = [
                "service_id": JSONValue(item.serviceID), "addon": JSONValue(item.addon),
                "license_id": JSONValue(item.licenseID), "message": .string(item.detail),
            ]
            if let code = item.code { error.set("code", .int(Int(code.rawValue))) }
            return .object(error)
        }
        if let stopped = report.stopped {
            errors.append([
                "service_id": nil, "addon": nil, "license_id": nil, "message": .string(stopped.description),
                "code": .int(Int(ExitStatus.of(stopped).rawValue)),
            ])
        }
        if let failure = report.serviceSource?.failure {
            errors.append([
                "service_id": nil, "addon": nil, "license_id": nil, "message": .string(failure.message),
                "code": .int(Int(failure.status.rawValue)),
            ])
        }
        object.set("errors", .array(errors))
        if let source = report.serviceSource {
            object.set(
                "service_source",
                [
                    "program": .string(source.program),
                    "error": source.failure.map {
                        ["code": .int(Int($0.status.rawValue)), "message": .string($0.message)]
                    } ?? .null,
                    "import": source.result.map { .object(ImportRendering.json($0, dryRun: report.dryRun)) } ?? .null,
                ])
        }
        object.set("warnings", JSONValue(report.warnings))
        object.set("notes", JSONValue(report.notes + report.verboseWarnings))
        object.set("dry_run", .bool(report.dryRun))
        if report.dryRun {
            object.set("cost", JSONValue(money: report.unpricedSteps == 0 ? report.plannedCost : nil))
        }
        // What the run paid for, each item's `cost` summed; a dry run pays nothing.
        object.set("spent", JSONValue(money: report.spent))
        object.set("currency", JSONValue(report.currency))
        object.set(
            "items",
            .array(
                report.items.map { item in
                    var object: JSONObject = [
                        "action": .string(item.action.rawValue), "service_id": JSONValue(item.serviceID),
                        "addon": JSONValue(item.addon), "license_id": JSONValue(item.licenseID),
                        "detail": .string(item.detail), "cost": JSONValue(money: item.charge?.amount),
                    ]
                    if report.dryRun { object.set("plan", JSONValue(item.plan?.rawValue)) }
                    return .object(object)
                }))
        return object
    }

    /// The last line of a dry run: what its plan would spend.
    static func total(of report: RunReport) -> String {
        let unpriced = report.unpricedSteps
        if unpriced > 0 {
            return "total: unknown (\(unpriced) step(s) without a known price; run 'licmgr import-tariffs')"
        }
        guard let cost = report.plannedCost else { return "total: unknown (prices in more than one currency)" }
        guard let currency = report.currency else { return "total: nothing to pay" }
        return "total: \(Money.format(cost)) \(currency)"
    }

    /// Ends a run's output: under `--json` its one document; as text, what its `LiveRun` kept
    /// for the end, since every line of the run was printed as it happened.
    static func print(_ report: RunReport, to output: Output) {
        if output.json {
            output.document(.object(Rendering.report(report)))
            return
        }
        let live =
            report.observer.sink as? LiveRun ?? LiveRun(output: output, replaying: report, today: SystemTime().today)
        live.finish(report)
    }

    /// Why a run stopped early; after a signal, also what it did before and what it left journaled.
    static func stopLine(_ stopped: RemoteError, _ report: RunReport) -> String {
        var text: String
        switch stopped {
        case .interrupted:
            text = "stopped: \(stopped.description)"
        case .abandoned(_, let signal):
            // Each step left so has had its own line; this one says why the run ends.
            text = "stopped: a second \(RemoteError.name(signal)) abandoned the steps in flight, unanswered"
        default:
            text = "stopped: \(stopped.description)"
            if stopped.isInDoubt { text += "; the step is journaled and the next run settles it" }
            return text
        }
        // What the run changed or recorded: not what it left alone, failed, only planned or held.
        let notDone: Set<RunReport.Action> = [.unchanged, .skipped, .failed, .inDoubt, .planned, .held]
        let done = RunReport.Action.allCases.filter { !notDone.contains($0) }
            .compactMap { action in report.count(action) > 0 ? "\(report.count(action)) \(action.rawValue)" : nil }
        text += done.isEmpty ? "; nothing was changed before it" : "; done before it: \(done.joined(separator: ", "))"
        let doubt = report.count(.inDoubt)
        text +=
            doubt > 0
            ? "; \(doubt) step(s) in doubt are journaled and the next run settles them"
            : "; no step is left in doubt"
        return text
    }
}
