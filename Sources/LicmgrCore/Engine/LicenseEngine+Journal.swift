extension LicenseEngine {
    /// One remote step about to be sent: what the journal records before the call.
    struct Step {
        var kind: RemoteOperation.Kind
        /// Where in which workflow the step stands, for the kill tests.
        var point: StepPoint
        var service: Int?
        var addon: String?
        var license: Int?
        var params: [String: String]
        /// Names the step in reports and history, e.g. "renew license 100001".
        var summary: String
        var key: String
        /// What a step that spends money buys, for its cost and `SpendLimit`.
        var price: Price?
    }

    struct Price {
        var tariff: Int
        var period: Int
    }

    func step(
        _ kind: RemoteOperation.Kind, at point: StepPoint, service: Int?, addon: String? = nil, license: Int?,
        params: [String: String] = [:], key: String? = nil, buying price: Price? = nil,
        _ summary: String
    ) -> Step {
        Step(
            kind: kind, point: point, service: service, addon: addon, license: license, params: params,
            summary: summary, key: key ?? keys.next(), price: price)
    }

    /// Journals `step`, sends it, and on failure records why. Returns the answer, or nil when
    /// the step failed: a refusal fails that item and the run goes on; any other error stops
    /// the run (`report.stopped`), and if the remote may have applied it, it stays pending.
    /// The caller finishes a successful step with `complete(_:)` in its own transaction.
    func send<T>(_ step: Step, report: inout RunReport, _ call: () throws(RemoteError) -> T) throws -> T? {
        try sendJournaled(step, report: &report, call)?.answer
    }

    /// `send`, also handing back the step as journaled, with the cost it was recorded at.
    func sendJournaled<T>(
        _ step: Step, report: inout RunReport, _ call: () throws(RemoteError) -> T
    ) throws -> (step: Step, answer: T)? {
        guard let step = try admit(step, report: &report) else { return nil }
        do {
            let answer = try call()
            try FaultPoint.answered(step.point)
            return (step, answer)
        } catch {
            try failed(step, error, report: &report)
            return nil
        }
    }

    /// Everything before a step goes out: the run not stopped or interrupted, the spend limit,
    /// the refusal back-off, then the journal row committed. Returns the step as journaled
    /// (with its cost), or nil when it must not be sent.
    func admit(_ step: Step, report: inout RunReport) throws -> Step? {
        guard let step = try admit([step], report: &report)[0] else { return nil }
        FaultPoint.reach(step.point, .before)
        return step
    }

    /// Admits steps in one transaction, so a window of parallel steps costs one commit: each is
    /// checked as `admit` checks one, after the rows of those before it are written, so the
    /// spend limit counts them. Returns the admitted steps by their place in `steps`.
    func admit(_ steps: [Step], report: inout RunReport) throws -> [Int: Step] {
        var admitted: [Int: Step] = [:]
        try store.transaction {
            for (index, step) in steps.enumerated() {
                guard let step = try check(step, report: &report) else { continue }
                try store.insert(
                    RemoteOperation(
                        key: step.key, kind: step.kind, serviceID: step.service, addon: step.addon,
                        licenseID: step.license, params: step.params, command: command, createdAt: time.timestamp))
                admitted[index] = step
            }
        }
        return admitted
    }

    /// Whether `step` may be sent now, and with what cost recorded.
    private func check(_ step: Step, report: inout RunReport) throws -> Step? {
        guard report.stopped == nil else { return nil }
        if let signal = Interruption.signal {
            report.stopped = .interrupted(signal: signal)
            return nil
        }
        var step = step
        if let price = step.price {
            let cost = try cost(of: price)
            step.params["cost"] = cost.map(String.init)
            if let why = try overSpendLimit(cost), let limit = config.spendLimit {
                report.add(
                    .held, serviceID: step.service, addon: step.addon, licenseID: step.license,
                    "\(step.summary) held: \(why)")
                report.hold(
                    cost: cost, currency: try catalogue().tariffs[price.tariff]?.currency, limit: limit,
                    spent: try spentInWindow())
                log(step, .held(why))
                return nil
            }
        }
        if backsOff, let refusal = try recentRefusal(like: step) {
            skip(step, refusedAs: refusal, report: &report)
            return nil
        }
        return step
    }

    /// What a dry run does where the run sends `changes` together: plans each as the run would
    /// admit it, held by `SpendLimit` or skipped for a refusal within the back-off, and plans no
    /// later step of a license once an earlier one would not go, as `sendAll` sends none.
    func preview(_ changes: [PlannedChange], report: inout RunReport) throws {
        try preview(changes.compactMap { change in change.plan.map { (change.planned.step, $0) } }, report: &report)
    }

    /// `preview` of steps with the items that name them, weighed in the order `sendAll` admits
    /// them: wave by wave, so that `SpendLimit` holds the steps the run would hold.
    func preview(_ steps: [(step: Step, item: PlanItem)], report: inout RunReport) throws {
        var stopped = Set<Int>()
        let waves = Self.waveNumbers(steps.lazy.map(\.step))
        for index in steps.indices.sorted(by: { (waves[$0], $0) < (waves[$1], $1) }) {
            let item = steps[index].item
            var step = steps[index].step
            if let license = step.license, stopped.contains(license) { continue }
            // As `check` journals it: a refusal is matched on every parameter, the cost included.
            if let price = step.price { step.params["cost"] = try cost(of: price).map(String.init) }
            if backsOff, let refusal = try recentRefusal(like: step) {
                skip(step, refusedAs: refusal, report: &report)
                if let license = step.license { stopped.insert(license) }
                continue
            }
            if step.price == nil {
                report.plan(item)
            } else if try !planSpending(item, report: &report), let license = step.license {
                stopped.insert(license)
            }
        }
    }

    /// Reports a step not sent because the remote refused it for good within `refusalBackOff`.
    private func skip(_ step: Step, refusedAs refusal: RemoteOperation, report: inout RunReport) {
        report.add(
            .skipped, serviceID: step.service, addon: step.addon, licenseID: step.license,
            "\(step.summary) was refused at \(refusal.createdAt) (\(refusal.result ?? "")); "
                + "checkevent tries again an hour later, a command by hand at once")
    }

    /// Records why a sent step failed: in doubt when the remote may have applied it, failed
    /// otherwise. A refusal fails that item only; any other error stops the run.
    func failed(_ step: Step, _ error: RemoteError, report: inout RunReport) throws {
        if case .interrupted = error {
            // Refused unapplied (a dead session) and not sent again after the signal: closed as a
            // step the run never sent, said by the run's one stop line.
            try store.finish(
                operation: step.key, state: .failed, licenseID: nil, result: "not sent: the run stopped before it",
                at: time.timestamp)
            if report.stopped == nil { report.stopped = error }
            return
        }
        let detail = try failureDetail(step, error)
        try store.transaction {
            if error.isInDoubt {
                // A timeout, or a change whose answer a second signal gave up on, may still be at
                // work on the remote; an answer, even a broken one, is not.
                let result =
                    switch error {
                    case .timedOut: "\(Self.timedOutMark): \(error.description)"
                    case .abandoned(let function, let signal):
                        "\(Self.abandonedMark) at a second \(RemoteError.name(signal)): \(function)"
                    default: "in doubt, answered: \(error.description)"
                    }
                try store.finish(
                    operation: step.key, state: .pending, licenseID: nil, result: result, at: time.timestamp)
                try record(
                    step.kind.rawValue, result: "in doubt", service: step.service, license: step.license,
                    "\(step.summary): \(error.description); settled by the next run")
            } else {
                try store.finish(
                    operation: step.key, state: .failed, licenseID: nil,
                    result: Self.failureResult(error), at: time.timestamp)
                try record(step.kind.rawValue, result: "failed", service: step.service, license: step.license, detail)
            }
        }
        log(step, error.isInDoubt ? .inDoubt(error.description) : .failed(error.description))
        let action: RunReport.Action = error.isInDoubt ? .inDoubt : .failed
        report.add(action, serviceID: step.service, addon: step.addon, licenseID: step.license, detail)
        if case .refused = error { return }
        // A second signal is why the run ends, whatever the first one stopped.
        if case .abandoned = error { report.stopped = error }
        if report.stopped == nil { report.stopped = error }
    }

    /// Sends a step that changes one license and, once the remote took it, stores the license
    /// as `changed`, completes the step and, with `action`, reports it. False when it failed.
    @discardableResult
    func apply(
        _ step: Step, to changed: License, reportAs action: RunReport.Action?, _ detail: String,
        report: inout RunReport, _ call: () throws(RemoteError) -> Void
    ) throws -> Bool {
        guard let sent = try sendJournaled(step, report: &report, call) else { return false }
        try recordApplied(sent.step, changed: changed, reportAs: action, detail, report: &report)
        return true
    }

    /// Sends steps that each change one license together, and records each as it is applied.
    func apply(_ changes: [PlannedChange], report: inout RunReport) throws {
        let byKey = Dictionary(changes.map { ($0.planned.step.key, $0) }, uniquingKeysWith: { first, _ in first })
        try sendAll(changes.map(\.planned), report: &report) { step, _, report in
            guard let change = byKey[step.key] else { return }
            try recordApplied(step, changed: change.changed, reportAs: change.action, change.detail, report: &report)
        }
    }

    /// What both `apply`s do once the remote took a step: the license stored as `changed` and
    /// the step completed, in one transaction, then the report, with `action`.
    private func recordApplied(
        _ step: Step, changed: License, reportAs action: RunReport.Action?, _ detail: String,
        report: inout RunReport
    ) throws {
        try store.transaction {
            try store.save(changed, at: time.timestamp)
            try complete(step, detail)
        }
        if let action {
            report.add(
                action, serviceID: step.service, addon: step.addon, licenseID: step.license, detail,
                charge: try spending(step))
        }
    }

    /// What a step the remote took spent, by the cost journaled with it (nil in the charge
    /// when the price was not known); nil for a step that buys nothing.
    func spending(_ step: Step) throws -> RunReport.Charge? {
        guard let price = step.price else { return nil }
        return RunReport.Charge(
            amount: step.params["cost"].flatMap { Int($0) }, currency: try catalogue().tariffs[price.tariff]?.currency)
    }

    /// Records that `license` now serves `service` through `addon`; call inside a transaction.
    func attach(_ license: License, to service: Int, addon: String, action: String, _ detail: String) throws {
        var attached = license
        attached.serviceID = service
        attached.addon = addon
        try store.save(attached, at: time.timestamp)
        try store.attach(license: license.id, to: service, addon: addon)
        try record(action, result: "ok", service: service, license: license.id, detail)
    }

    /// Marks a sent step done and writes its history row; call inside the transaction that
    /// records the step's effect.
    func complete(_ step: Step, license: Int? = nil, _ detail: String) throws {
        try store.finish(
            operation: step.key, state: .done, licenseID: license ?? step.license, result: detail,
            at: time.timestamp)
        try record(step.kind.rawValue, result: "ok", service: step.service, license: license ?? step.license, detail)
        log(step, license: license, .done)
    }

    /// The same step refused for good within the back-off: same kind, target and parameters.
    func recentRefusal(like step: Step) throws -> RemoteOperation? {
        let since = time.timestamp(secondsAgo: Self.refusalBackOff)
        if cachedRefusals == nil { cachedRefusals = try store.operations(state: .failed) }
        return cachedRefusals?.last {
            $0.kind == step.kind && $0.serviceID == step.service && $0.addon == step.addon
                && $0.licenseID == step.license && $0.params == step.params && $0.createdAt >= since
                && !Self.isRetryable($0)
        }
    }

    /// The catalogue's price in ten-thousandths (`Money`), when it knows the tariff and period.
    func cost(of price: Price) throws -> Int? {
        try catalogue().period(price.period, of: price.tariff).flatMap { Money.price($0.cost) }
    }

    /// Why a step costing `cost` may not be sent under `SpendLimit`, or nil. Steps in doubt
    /// count as spent: they may have been paid.
    /// `planned`: what a dry run's steps before this one would have spent by then.
    func overSpendLimit(_ cost: Int?, planned: Int = 0) throws -> String? {
        guard let limit = config.spendLimit else { return nil }
        guard let cost else {
            return "SpendLimit is set and its price is unknown; import the catalogue with 'licmgr import-tariffs'"
        }
        let spent = try spentInWindow() + planned
        guard spent + cost > limit else { return nil }
        return "SpendLimit \(Money.format(limit)) would be passed: \(Money.format(spent)) spent in the last 24 hours, "
            + "this costs \(Money.format(cost)); it is sent once the window allows"
    }

    static let spendWindow = 86_400

    /// What the last `spendWindow` seconds spent, steps in doubt included.
    func spentInWindow() throws -> Int { try store.spent(since: time.timestamp(secondsAgo: Self.spendWindow)) }

    static let timedOutMark = "in doubt, timed out"
    static let abandonedMark = "in doubt, abandoned"

    /// Whether a pending step's result says its answer never came: it timed out, or a second
    /// signal stopped the wait for it.
    static func leftUnanswered(_ result: String?) -> Bool {
        guard let result else { return false }
        return result.hasPrefix(timedOutMark) || result.hasPrefix(abandonedMark)
    }

    /// A pending step that may still be finishing on the remote: its run was killed before an
    /// answer, or the answer timed out or was abandoned, less than `SettleAfter` seconds ago.
    func mayStillBeInFlight(_ operation: RemoteOperation) -> Bool {
        let unanswered = operation.result == nil || Self.leftUnanswered(operation.result)
        return unanswered && operation.createdAt > time.timestamp(secondsAgo: config.settleAfter)
    }

    /// Reports a step left pending because it may still be finishing on the remote.
    func wait(for operation: RemoteOperation, _ what: String, report: inout RunReport) {
        report.add(
            .inDoubt, serviceID: operation.serviceID, addon: operation.addon, licenseID: operation.licenseID,
            "\(what) (\(operation.key)) is not seen on the remote yet; it is settled once SettleAfter "
                + "(\(config.settleAfter) s) has passed since \(operation.createdAt)")
    }

    /// How a failed step is remembered: a refusal keeps its type so that the next run can
    /// tell whether trying again could help.
    static func failureResult(_ error: RemoteError) -> String {
        if case .refused(_, let type, _, let message, _) = error { return "refused:\(type): \(message)" }
        return "not sent: \(error.description)"
    }

    /// A refusal worth retrying on a later run: money may arrive, a remote hiccup may pass.
    static func isRetryable(_ operation: RemoteOperation) -> Bool {
        guard operation.state == .failed, let result = operation.result else { return true }
        guard result.hasPrefix("refused:") else { return true }
        return refusedForFunds(result)
    }

    /// Whether a journaled result, as `failureResult` writes it, is a refusal for lack of funds.
    static func refusedForFunds(_ result: String?) -> Bool {
        guard let result else { return false }
        return RemoteError.lackOfFundsTypes.contains { result.hasPrefix("refused:\($0):") }
    }
}
