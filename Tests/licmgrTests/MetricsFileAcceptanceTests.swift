import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `MetricsFile PATH`: after every recorded run, a node_exporter textfile that parses as the
/// Prometheus text format and says what the simulator holds.
final class MetricsFileAcceptanceTests: AcceptanceTestCase {
    private var metricsPath: String { work.directory.appendingPathComponent("licmgr.prom").path }

    func testMetricsFileParsesAndMatchesTheRemote() throws {
        try work.writeConfig(url: sim.url, extra: "MetricsFile licmgr.prom")
        try licmgr("import-tariffs")
        for id in 1...3 { try addService(id, ip: "10.0.0.\(id)") }
        // On the account, serving nothing: unused.
        try sim.seed([["licname": "spare", "ip": "10.0.0.99", "pricelist": "55227"]])
        try licmgr("checkevent")
        let before = Int(Date().timeIntervalSince1970)

        // The next run fails: it is the last checkevent, the earlier one its last success.
        try work.writeConfig(url: "http://127.0.0.1:1/billmgr", extra: "MetricsFile licmgr.prom")
        // Under a strict umask, as cron may give: the file is still readable by node_exporter.
        let umaskBefore = umask(0o077)
        try licmgr("checkevent", expect: 69)
        umask(umaskBefore)

        let text = try String(contentsOfFile: metricsPath, encoding: .utf8)
        let samples = try PrometheusText.parse(text)
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        let state = try sim.state()
        let now = Double(Date().timeIntervalSince1970)
        XCTAssertEqual(value("licmgr_last_run_exit_code", ["command": "checkevent"]), 69)
        XCTAssertEqual(value("licmgr_last_run_exit_code", ["command": "import-tariffs"]), 0)
        let lastRun = try XCTUnwrap(value("licmgr_last_run_timestamp_seconds", ["command": "checkevent"]))
        let lastSuccess = try XCTUnwrap(value("licmgr_last_success_timestamp_seconds", ["command": "checkevent"]))
        XCTAssertLessThanOrEqual(lastSuccess, Double(before))
        XCTAssertLessThanOrEqual(lastSuccess, lastRun)
        XCTAssertLessThan(abs(lastRun - now), 60)
        let active = state.licenses.filter { $0["status"] == "2" }.count
        XCTAssertEqual(active, 4)
        XCTAssertEqual(value("licmgr_licenses", ["status": "active"]), Double(active))
        XCTAssertEqual(value("licmgr_licenses", ["status": "suspended"]), 0)
        XCTAssertEqual(value("licmgr_unused_licenses"), 1)
        XCTAssertEqual(value("licmgr_unused_monthly_cost", ["currency": "EUR"]), 10)
        XCTAssertEqual(value("licmgr_steps_in_doubt"), 0)
        XCTAssertEqual(value("licmgr_spent_last_30d", ["currency": "EUR"]), Double(state.spent))
        XCTAssertEqual(value("licmgr_spent_last_30d", ["currency": "EUR"]), 30)
        XCTAssertEqual(value("licmgr_spent_total", ["currency": "EUR"]), 30)
        XCTAssertEqual(value("licmgr_renewals_due_next_30d"), 3)
        XCTAssertEqual(value("licmgr_renewals_due_next_30d_cost", ["currency": "EUR"]), 30)
        XCTAssertEqual(value("licmgr_balance", ["currency": "EUR"]), Double(state.balance))
        XCTAssertNotNil(value("licmgr_balance_timestamp_seconds"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: metricsPath + ".tmp"))
        let mode = try FileManager.default.attributesOfItem(atPath: metricsPath)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o644, "node_exporter reads it as another user")

        // A dry run is not recorded and leaves the file alone.
        try FileManager.default.removeItem(atPath: metricsPath)
        try licmgr("checkevent", "--dry-run", expect: 69)
        XCTAssertFalse(FileManager.default.fileExists(atPath: metricsPath))
    }

    func testUnknownValuesHaveNoSampleAndAFailedWriteIsAWarning() throws {
        try work.writeConfig(url: sim.url, extra: "MetricsFile licmgr.prom")
        try addService(1, ip: "10.0.0.1")
        try licmgr("order", "1")
        let samples = try PrometheusText.parse(try String(contentsOfFile: metricsPath, encoding: .utf8))
        let names = Set(samples.map(\.name))
        // No catalogue: what was spent and what is due cost are not known, not 0.
        XCTAssertFalse(names.contains("licmgr_spent_last_30d"))
        XCTAssertFalse(names.contains("licmgr_spent_total"))
        XCTAssertFalse(names.contains("licmgr_renewals_due_next_30d_cost"))
        XCTAssertEqual(samples.first { $0.name == "licmgr_renewals_due_next_30d" }?.value, 1)

        let missing = work.directory.appendingPathComponent("no/such/dir/licmgr.prom").path
        try work.writeConfig(url: sim.url, extra: "MetricsFile \(missing)")
        try addService(2, ip: "10.0.0.2")
        let run = try licmgr("order", "2")
        XCTAssertEqual(
            run.stderrLessPagingWarning,
            "licmgr: warning: metrics file \(missing) not written: cannot write the metrics file \(missing): "
                + "No such file or directory\n")
    }

    /// Counters of what was done, kept across runs because they are read from the run record
    /// and the journal; each license due within 30 days has its expiry; a command-line typo is
    /// no run of its command.
    func testCountersGrowAcrossRunsLicensesDueSoonHaveTheirExpiryAndTyposAreNoRun() throws {
        let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))
        try work.writeConfig(url: sim.url, extra: "MetricsFile licmgr.prom")
        try licmgr("import-tariffs")
        for id in 1...2 { try addService(id, ip: "10.0.0.\(id)") }
        try addService(3, ip: "10.0.0.3")
        let soon = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #3 addon vps3", "ip": "10.0.0.3", "pricelist": "55227", "period": "1",
                    "expiredate": today.adding(days: 5).description,
                ]
            ]).first)
        try licmgr("checkevent")
        func read() throws -> [PrometheusText.Sample] {
            try PrometheusText.parse(try String(contentsOfFile: metricsPath, encoding: .utf8))
        }
        var samples = try read()
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        XCTAssertEqual(value("licmgr_orders_total"), 2)
        XCTAssertEqual(value("licmgr_renewals_total"), 0)
        XCTAssertEqual(value("licmgr_spent_total", ["currency": "EUR"]), 20)
        XCTAssertEqual(value("licmgr_runs_total", ["command": "checkevent", "exit_code": "0"]), 1)
        XCTAssertEqual(value("licmgr_runs_total", ["command": "import-tariffs", "exit_code": "0"]), 1)
        XCTAssertEqual(value("licmgr_remote_steps_total", ["kind": "order", "state": "done"]), 2)
        let expiry = "licmgr_license_expiry_timestamp_seconds"
        XCTAssertEqual(
            value(expiry, ["license": String(soon), "service": "3"]), Double(today.adding(days: 5).ordinal * 86_400))
        // Exactly the licenses the remote shows expiring within 30 days, whatever the month's length.
        let dueSoon = try work.store().allLicenses().filter {
            $0.serviceID != nil && $0.expires.map { $0 <= today.adding(days: 30) } == true
        }
        XCTAssertEqual(
            Set(samples.filter { $0.name == expiry }.map { $0.labels["license"] ?? "" }),
            Set(dueSoon.map { String($0.id) }))

        // A typo: exit 65, not a run of order, so the file is not rewritten either.
        let before = try String(contentsOfFile: metricsPath, encoding: .utf8)
        try licmgr("order", "999", expect: 65)
        try licmgr("renew", "998", expect: 65)
        XCTAssertEqual(try String(contentsOfFile: metricsPath, encoding: .utf8), before)
        XCTAssertNil(
            try licmgr("status", "--json").jsonObject["last_runs"].flatMap { ($0 as? [String: Any])?["order"] })

        // The license comes due and is renewed: the counters go on from where they were.
        try sim.update([["id": soon, "expiredate": today.adding(days: 1).description]])
        try licmgr("checkevent")
        try work.writeConfig(url: "http://127.0.0.1:1/billmgr", extra: "MetricsFile licmgr.prom")
        try licmgr("checkevent", expect: 69)
        samples = try read()
        XCTAssertEqual(value("licmgr_orders_total"), 2)
        XCTAssertEqual(value("licmgr_renewals_total"), 1)
        XCTAssertEqual(value("licmgr_spent_total", ["currency": "EUR"]), 30)
        XCTAssertEqual(value("licmgr_runs_total", ["command": "checkevent", "exit_code": "0"]), 2)
        XCTAssertEqual(value("licmgr_runs_total", ["command": "checkevent", "exit_code": "69"]), 1)
        XCTAssertNil(value("licmgr_last_run_exit_code", ["command": "order"]))
        XCTAssertNil(value("licmgr_last_run_exit_code", ["command": "renew"]))
        // Renewed: its new expiry, unless that is more than 30 days away (in a month of 31 days).
        let renewed = today.adding(days: 1).adding(months: 1)
        XCTAssertEqual(
            value(expiry, ["license": String(soon), "service": "3"]),
            renewed <= today.adding(days: 30) ? Double(renewed.ordinal * 86_400) : nil)
    }

    /// The validator rejects what it should: each rule once.
    func testTheValidatorIsStrict() {
        let good = "# HELP a_b Help \\\\ text.\n# TYPE a_b gauge\na_b{x=\"q\\\"\\\\\\n\"} 1.5\na_b 2\n"
        XCTAssertEqual(try PrometheusText.parse(good).first?.labels["x"], "q\"\\\n")
        for bad in [
            "# HELP a h\n# TYPE a gauge\na 1",  // no final newline
            "# HELP a h\n# TYPE a gauge\n1a 1\n",  // metric name
            "# HELP a h\n# TYPE a gauge\na{1x=\"v\"} 1\n",  // label name
            "# HELP a h\n# TYPE a gauge\na{x=\"\\t\"} 1\n",  // escape
            "# HELP a h\n# TYPE a gauge\na{x=\"v} 1\n",  // unterminated value
            "# HELP a h\n# TYPE a gauge\na one\n",  // value
            "# HELP a h\na 1\n",  // no TYPE
            "# HELP a h\n# TYPE a gauge\n# HELP b h\n# TYPE b gauge\na 1\nb 1\na 2\n",  // not contiguous
            "# HELP a h\n# TYPE a gauge\na 1\na 2\n",  // same series twice
            "# HELP a h\n# TYPE a gauge\n# TYPE a gauge\na 1\n",  // TYPE twice
        ] {
            XCTAssertThrowsError(try PrometheusText.parse(bad), bad)
        }
    }
}

/// A strict reader of the Prometheus text exposition format (version 0.0.4), as far as a file of
/// gauges goes: every family has HELP and TYPE before its samples, and its samples together.
enum PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Invalid: Error, CustomStringConvertible {
        var line: Int
        var why: String
        var description: String { "line \(line): \(why)" }
    }

    static func parse(_ text: String) throws -> [Sample] {
        guard text.hasSuffix("\n") else { throw Invalid(line: 0, why: "no final newline") }
        var samples: [Sample] = []
        var helped = Set<String>()
        var typed = Set<String>()
        var closed = Set<String>()
        var current: String?
        var series = Set<String>()
        func enter(_ family: String, _ number: Int) throws {
            if family == current { return }
            if let current { closed.insert(current) }
            guard !closed.contains(family) else { throw Invalid(line: number, why: "\(family) is not contiguous") }
            current = family
        }
        for (index, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.hasPrefix("#") {
                let fields = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
                guard fields.count >= 3, fields[0] == "#", fields[1] == "HELP" || fields[1] == "TYPE" else { continue }
                let name = String(fields[2])
                guard isMetricName(name) else { throw Invalid(line: number, why: "bad name \(name)") }
                try enter(name, number)
                let rest = fields.count > 3 ? String(fields[3]) : ""
                if fields[1] == "HELP" {
                    guard helped.insert(name).inserted else { throw Invalid(line: number, why: "HELP twice") }
                    _ = try unescape(rest, quotes: false, line: number)
                } else {
                    guard typed.insert(name).inserted else { throw Invalid(line: number, why: "TYPE twice") }
                    guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(rest) else {
                        throw Invalid(line: number, why: "bad type \(rest)")
                    }
                }
                continue
            }
            let sample = try parseSample(String(line), line: number)
            try enter(sample.name, number)
            guard helped.contains(sample.name), typed.contains(sample.name) else {
                throw Invalid(line: number, why: "\(sample.name) has no HELP or TYPE before it")
            }
            let key =
                sample.name + "{"
                + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: ",") + "}"
            guard series.insert(key).inserted else { throw Invalid(line: number, why: "\(key) twice") }
            samples.append(sample)
        }
        return samples
    }

    private static func parseSample(_ line: String, line number: Int) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0 != "{" && $0 != " " })
        guard isMetricName(name) else { throw Invalid(line: number, why: "bad metric name '\(name)'") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0 != "=" })
                guard isLabelName(label), labels[label] == nil else {
                    throw Invalid(line: number, why: "bad label name '\(label)'")
                }
                rest = rest.dropFirst(label.count)
                guard rest.hasPrefix("=\"") else { throw Invalid(line: number, why: "no quoted value") }
                rest = rest.dropFirst(2)
                var raw = ""
                var escaped = false
                while let character = rest.first, escaped || character != "\"" {
                    escaped = !escaped && character == "\\"
                    raw.append(character)
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { throw Invalid(line: number, why: "unterminated label value") }
                rest = rest.dropFirst()
                labels[label] = try unescape(raw, quotes: true, line: number)
                if rest.first == "," {
                    rest = rest.dropFirst()
                } else if rest.first != "}" {
                    throw Invalid(line: number, why: "expected , or }")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw Invalid(line: number, why: "no value") }
        let fields = rest.dropFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard (1...2).contains(fields.count) else { throw Invalid(line: number, why: "bad value") }
        let value: Double
        switch fields[0] {
        case "NaN": value = .nan
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        default:
            guard fields[0].allSatisfy({ "0123456789.eE+-".contains($0) }), let number = Double(fields[0]) else {
                throw Invalid(line: number, why: "bad value '\(fields[0])'")
            }
            value = number
        }
        if fields.count == 2, Int64(fields[1]) == nil { throw Invalid(line: number, why: "bad timestamp") }
        return Sample(name: name, labels: labels, value: value)
    }

    /// The format's escapes: `\\` and `\n`, and `\"` in label values; any other is an error.
    private static func unescape(_ text: String, quotes: Bool, line: Int) throws -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "\"" where quotes: result.append("\"")
                default: throw Invalid(line: line, why: "bad escape \\\(character)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                guard character != "\n" else { throw Invalid(line: line, why: "raw newline") }
                result.append(character)
            }
        }
        guard !escaping else { throw Invalid(line: line, why: "dangling backslash") }
        return result
    }

    private static func isMetricName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else {
            return false
        }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func isLabelName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
