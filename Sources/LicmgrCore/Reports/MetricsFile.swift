import Glibc

/// The node_exporter textfile (`MetricsFile`): what `status` shows, as gauges in the Prometheus
/// text exposition format, and counters of what was done, rewritten whole after each recorded
/// run. Names follow Prometheus' conventions (`promtool check metrics`): base units, `_total`
/// on counters alone, windows of days spelled `_30d`, as a unit would read as a duration.
public enum MetricsFile {
    /// At most this many `licmgr_license_expiry_timestamp_seconds` series, the soonest first:
    /// one per license due within 30 days, which on a large account is thousands.
    public static let expiryCap = 1000

    /// A metrics file that could not be written; the run it follows is not affected.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public var description: String { "cannot write the metrics file \(path): \(reason)" }
    }

    /// The file's text. A value that is not known (spending before the catalogue is imported,
    /// a balance never read) has its HELP and TYPE lines but no sample, rather than a made-up 0.
    public static func text(_ status: StatusReport, store: any StateStore) throws -> String {
        var families: [Family] = []
        let commands = status.lastRuns.keys.sorted()
        families.append(
            Family(
                "licmgr_last_run_timestamp_seconds", "When the last run of each command ended, in Unix time.",
                commands.compactMap { command in
                    RunRecord.seconds(status.lastRuns[command]!.endedAt).map { (["command": command], String($0)) }
                }))
        families.append(
            Family(
                "licmgr_last_run_exit_code", "The exit code of the last run of each command (0: success).",
                commands.map { (["command": $0], String(status.lastRuns[$0]!.exitCode)) }))
        var successes: [(labels: [String: String], value: String)] = []
        for command in commands {
            guard let run = try store.lastSuccessfulRun(of: command), let at = RunRecord.seconds(run.endedAt)
            else { continue }
            successes.append((["command": command], String(at)))
        }
        families.append(
            Family(
                "licmgr_last_success_timestamp_seconds",
                "When the last run of each command that exited 0 ended, in Unix time.", successes))

        // The usual statuses always have a sample, 0 when no license is in them.
        var byStatus = status.liveByStatus
        for name in [License.Status.ordered, .active, .suspended, .processing].map(\.name) where byStatus[name] == nil {
            byStatus[name] = 0
        }
        families.append(
            Family(
                "licmgr_licenses", "Licenses on the account as last seen, deleted ones left out, by status.",
                byStatus.keys.sorted().map { (["status": $0], String(byStatus[$0]!)) }))
        families.append(
            Family(
                "licmgr_free_pool_licenses", "Parked licenses waiting in the free pool for reuse.",
                [([:], String(status.freePool.count))]))
        let unused = status.unusedTotal
        families.append(
            Family(
                "licmgr_unused_licenses", "Licenses paid for that serve no service and are not in the free pool.",
                [([:], String(unused.count))]))
        families.append(
            Family(
                "licmgr_unused_monthly_cost", "What the unused licenses of known price cost a month, by currency.",
                unused.monthly.keys.sorted().map { (["currency": $0], Money.format(unused.monthly[$0]!)) }))
        families.append(
            Family(
                "licmgr_steps_in_doubt", "Remote steps journaled whose outcome is not known yet.",
                [([:], String(status.inDoubt))]))
        let currency = status.currency.map { ["currency": $0] } ?? [:]
        families.append(
            Family(
                "licmgr_spent_last_30d",
                "Money spent (or possibly spent: steps in doubt) on orders, renewals and tariff changes in the "
                    + "last 30 days; no sample before the catalogue is imported.",
                status.spent30Days.map { [(currency, Money.format($0))] } ?? []))
        families.append(
            Family(
                "licmgr_renewals_due_next_30d", "Licenses that renew in the next 30 days.",
                [([:], String(status.due30Days.count))]))
        families.append(
            Family(
                "licmgr_renewals_due_next_30d_cost",
                "What the renewals of the next 30 days cost; no sample while a price is not known.",
                status.due30Days.cost.map { [(currency, Money.format($0))] } ?? []))
        families.append(
            Family(
                "licmgr_renewals_due_next_7d_cost",
                "What the renewals of the next 7 days cost, which the balance should cover; no sample while a "
                    + "price is not known.",
                status.due7Days.cost.map { [(currency, Money.format($0))] } ?? []))
        families.append(
            Family(
                "licmgr_steps_held",
                "Orders and renewals held: refused for lack of funds and still unpaid (funds), or held by SpendLimit "
                    + "in the last checkevent or renew (spend_limit).",
                [
                    (["reason": "funds"], String(status.fundsHeld)),
                    (["reason": "spend_limit"], String(status.spendLimitHeld)),
                ]))
        families.append(
            Family(
                "licmgr_license_expiry_timestamp_seconds",
                "When each license licmgr renews expires as the remote last showed it (the start of the day, "
                    + "Unix time), for the licenses that expire within 30 days, at most \(expiryCap), soonest first.",
                status.expiring.prefix(expiryCap).map {
                    (
                        ["license": String($0.license), "service": String($0.service)],
                        String($0.expires.ordinal * 86_400)
                    )
                }))
        let balance = status.balance
        let balanceCurrency = (balance?.balance.currency ?? status.currency).map { ["currency": $0] } ?? [:]
        families.append(
            Family(
                "licmgr_balance", "The account balance as checkevent last read it; no sample if never read.",
                balance.map { [(balanceCurrency, Money.format($0.balance.amount))] } ?? []))
        families.append(
            Family(
                "licmgr_balance_timestamp_seconds", "When the balance was read, in Unix time.",
                balance.flatMap { RunRecord.seconds($0.at) }.map { [([:], String($0))] } ?? []))
        families.append(
            Family(
                "licmgr_runs_total", "Runs of each command that reached for the remote, by exit code.",
                try store.runTotals().map {
                    (["command": $0.command, "exit_code": String($0.exitCode)], String($0.count))
                },
                type: "counter"))
        let steps = try store.stepTotals()
        families.append(
            Family(
                "licmgr_remote_steps_total",
                "Journaled remote steps settled, by kind and outcome (done, failed, void).",
                steps.map { (["kind": $0.kind.rawValue, "state": $0.state.rawValue], String($0.count)) },
                type: "counter"))
        families.append(
            Family(
                "licmgr_orders_total", "Licenses bought: orders the remote applied.",
                [([:], String(steps.filter { $0.kind == .order && $0.state == .done }.map(\.count).reduce(0, +)))],
                type: "counter"))
        families.append(
            Family(
                "licmgr_renewals_total", "Renewals the remote applied.",
                [([:], String(steps.filter { $0.kind == .renew && $0.state == .done }.map(\.count).reduce(0, +)))],
                type: "counter"))
        families.append(
            Family(
                "licmgr_spent_total",
                "Money paid for the orders, renewals and tariff changes the remote applied; no sample before the "
                    + "catalogue is imported.",
                status.currency == nil ? [] : [(currency, Money.format(try store.spentTotal()))],
                type: "counter"))
        return families.map(\.text).joined()
    }

    /// Replaces the file at `path` in one step: the text goes to `PATH.tmp` in the same
    /// directory (which node_exporter ignores), is synced, and is renamed over the file, so a
    /// scrape never reads half a file.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: Self.describe(errno)) }
        // node_exporter reads it as another user, whatever umask licmgr runs under (cron's may be 077).
        _ = fchmod(fd, 0o644)
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                let error = errno
                close(fd)
                unlink(temporary)
                throw WriteError(path: path, reason: Self.describe(error))
            }
            bytes = bytes.dropFirst(count)
        }
        let synced = fsync(fd) == 0 ? 0 : errno
        close(fd)
        guard synced == 0, rename(temporary, path) == 0 else {
            let error = synced == 0 ? errno : synced
            unlink(temporary)
            throw WriteError(path: path, reason: Self.describe(error))
        }
    }

    /// One metric family: its HELP and TYPE lines, then its samples together.
    private struct Family {
        var name: String
        var help: String
        var samples: [(labels: [String: String], value: String)]
        var type: String

        init(
            _ name: String, _ help: String, _ samples: [(labels: [String: String], value: String)],
            type: String = "gauge"
        ) {
            self.name = name
            self.help = help
            self.samples = samples
            self.type = type
        }

        var text: String {
            var text = "# HELP \(name) \(Self.escape(help, quotes: false))\n# TYPE \(name) \(type)\n"
            for sample in samples {
                let labels = sample.labels.keys.sorted().map { "\($0)=\"\(Self.escape(sample.labels[$0]!))\"" }
                text += name + (labels.isEmpty ? "" : "{\(labels.joined(separator: ","))}") + " \(sample.value)\n"
            }
            return text
        }

        /// The format's escapes: backslash and newline everywhere, the double quote in label values.
        static func escape(_ value: String, quotes: Bool = true) -> String {
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\"" where quotes: escaped += "\\\""
                default: escaped.append(character)
                }
            }
            return escaped
        }
    }

    private static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}
