import ArgumentParser
import LicmgrCore

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Health and money at a glance, from the local database alone.",
        discussion: """
            The last run of each command, steps in doubt, what the next 30 days of renewals cost, \
            what was spent in the last 30, the free pool, unused licenses and the account balance \
            as checkevent last read it. With --check, one line and exit 1 when something needs a \
            person (no successful checkevent lately, steps long in doubt, renewals held), for \
            monitoring; else one OK line and exit 0.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "One line for monitoring: exit 1 when something needs a person, else 0.")
    var check = false

    @Option(help: ArgumentHelp("A checkevent must have succeeded within this many minutes.", valueName: "minutes"))
    var maxAge = 15

    func validate() throws {
        if maxAge < 1 { throw ValidationError("--max-age takes a number of minutes, 1 or more") }
    }

    func run() throws {
        try CommandContext.run(global, command: "status") { context in
            let status = try StatusReport(
                store: try context.readStore(), config: context.config, time: context.time, maxAge: maxAge)
            let today = context.time.today
            let output = context.output
            if output.json {
                var document = Self.document(status, today: today)
                if check {
                    document.set("ok", .bool(status.problems.isEmpty))
                    document.set("problems", JSONValue(status.problems))
                }
                output.document(.object(document))
            } else if check {
                output.data(Self.checkLine(status))
            } else {
                Self.print(status, to: output)
            }
            return check && !status.problems.isEmpty ? .partialFailure : .ok
        }
    }

    static func checkLine(_ status: StatusReport) -> String {
        guard status.problems.isEmpty else { return "FAIL: " + status.problems.joined(separator: "; ") }
        let last = status.lastSuccessfulCheckevent.map { "the last checkevent succeeded at \($0.endedAt)" } ?? ""
        return "OK: \(last), \(status.inDoubt) step(s) in doubt, no renewal held"
    }

    static func document(_ status: StatusReport, today: Day) -> JSONObject {
        let runs = status.lastRuns.map { command, run -> (String, JSONValue) in
            (
                command,
                [
                    "at": .string(run.endedAt), "started_at": .string(run.startedAt),
                    "exit_code": .int(run.exitCode),
                    "counts": .object(JSONObject(members: run.counts.map { ($0.key, .int($0.value)) })),
                ]
            )
        }
        let pool = status.freePool.map { JSONValue.object(Rendering.freeLicense($0.license, today: today)) }
        let balance: JSONValue =
            status.balance.map {
                [
                    "amount": .money($0.balance.amount), "at": .string($0.at),
                    "currency": JSONValue($0.balance.currency ?? status.currency),
                ]
            } ?? .null
        return [
            "last_runs": .object(JSONObject(members: runs)), "in_doubt": .int(status.inDoubt),
            "due_30_days": ["count": .int(status.due30Days.count), "cost": JSONValue(money: status.due30Days.cost)],
            "spent_30_days": JSONValue(money: status.spent30Days),
            "unused": .object(Rendering.unusedSummary(status.unusedTotal)),
            "free_pool": .array(pool), "balance": balance,
            "currency": JSONValue(status.currency ?? status.balance?.balance.currency),
            "warnings": JSONValue(status.warnings),
        ]
    }

    private static func money(_ amount: Int?, _ status: StatusReport) -> String {
        guard let currency = status.currency else { return "unknown (run import-tariffs)" }
        guard let amount else { return "unknown (a price the catalogue does not list)" }
        return "\(Money.format(amount)) \(currency)"
    }

    private static func print(_ status: StatusReport, to output: Output) {
        func field(_ name: String, _ value: String) {
            output.data("\(name):".padded(to: 18) + value)
        }
        if status.lastRuns.isEmpty {
            field("last runs", "none recorded")
        } else {
            output.data("last runs (UTC):")
            let rows = status.lastRuns.values.sorted { $0.command < $1.command }.map { run in
                [
                    run.command, run.endedAt, run.succeeded ? "ok" : "exit \(run.exitCode)",
                    run.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                ]
            }
            let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = (0..<3).map { row[$0].padded(to: widths[$0]) }
                output.data("  " + (cells + [row[3]]).joined(separator: "  ").trimmingTrailingBlanks)
            }
        }
        field(
            "in doubt",
            status.inDoubt == 0
                ? "none"
                : "\(status.inDoubt) step(s), the oldest since \(status.oldestInDoubt ?? "?") (see 'licmgr journal')")
        let due = status.due30Days
        field("due in 30 days", due.count == 0 ? "none" : "\(due.count) license(s), \(money(due.cost, status))")
        field("spent in 30 days", money(status.spent30Days, status))
        let unused = status.unusedTotal
        field("unused", Rendering.unusedLine(unused) + (unused.count > 0 ? "; see 'licmgr list --unused'" : ""))
        field("free pool", status.freePool.isEmpty ? "empty" : "\(status.freePool.count) license(s)")
        for entry in status.freePool {
            let license = entry.license
            let when =
                if case .never(let why) = entry.reusability { "not reusable: \(why)" } else {
                    "reusable \(Rendering.reusable(entry.reusability))"
                }
            output.data(
                "  license \(license.id), tariff \(license.pricelist), expires \(license.expires?.description ?? "-"): "
                    + when)
        }
        if let balance = status.balance {
            let currency = balance.balance.currency ?? status.currency
            field(
                "balance",
                "\(Money.format(balance.balance.amount))\(currency.map { " \($0)" } ?? "") (read \(balance.at))")
        } else {
            field("balance", "never read (checkevent reads it hourly)")
        }
        for warning in status.warnings { output.data("warning: \(warning)") }
    }
}

extension String {
    fileprivate var trimmingTrailingBlanks: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
