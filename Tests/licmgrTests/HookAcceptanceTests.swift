import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `Hook PATH [TIMEOUT]`: after a run that changed the remote or failed, the operator's program
/// gets the run's summary on stdin, in a bounded time, and its failure never fails the run.
final class HookAcceptanceTests: AcceptanceTestCase {
    private var received: URL { work.directory.appendingPathComponent("received.jsonl") }

    /// Installs `hook.sh` with `body` and names it in the config, with `timeout` if given.
    @discardableResult
    private func installHook(_ body: String, timeout: Int? = nil, url: String? = nil) throws -> String {
        let path = work.directory.appendingPathComponent("hook.sh").path
        try work.writeFile("hook.sh", "#!/bin/sh\n\(body)\n", mode: 0o755)
        try work.writeConfig(url: url ?? sim.url, extra: "Hook \(path)" + (timeout.map { " \($0)" } ?? ""))
        return path
    }

    /// What a hook that saves its stdin, environment and directory has been given, one summary per call.
    private func summaries() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: received, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        }
    }

    private var recorder: String {
        let directory = work.directory.path
        return """
            cat >> \(directory)/received.jsonl
            env > \(directory)/env.txt
            pwd > \(directory)/cwd.txt
            """
    }

    func testHookGetsTheSummaryOfARunThatChangedTheRemoteAndNothingElse() throws {
        try installHook(recorder)
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        var calls = try summaries()
        XCTAssertEqual(calls.count, 1)
        let summary = try XCTUnwrap(calls.first)
        XCTAssertEqual(summary["command"] as? String, "order")
        XCTAssertEqual(summary["exit_code"] as? Int, 0)
        XCTAssertEqual(summary["ordered"] as? Int, 1)
        XCTAssertEqual((summary["counts"] as? [String: Int])?["ordered"], 1)
        XCTAssertEqual((summary["errors"] as? [Any])?.count, 0)
        XCTAssertEqual((summary["items"] as? [[String: Any]])?.first?["service_id"] as? Int, 7)
        let host = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
        XCTAssertEqual(summary["host"] as? String, host.trimmed)
        let started = try XCTUnwrap(summary["started_at"] as? String)
        let ended = try XCTUnwrap(summary["ended_at"] as? String)
        XCTAssertTrue(Self.isRFC3339(started), started)
        XCTAssertTrue(Self.isRFC3339(ended), ended)
        XCTAssertLessThanOrEqual(started, ended)
        XCTAssertEqual((summary["repeat"] as? [Any])?.count, 0, "no repeating error")

        // Nothing to do, nothing changed: no call. A dry run never calls it either.
        let idle = try licmgr("checkevent")
        XCTAssertEqual(idle.stdout, "")
        try addService(8, ip: "10.0.0.8")
        try licmgr("order", "8", "--dry-run")
        calls = try summaries()
        XCTAssertEqual(calls.count, 1, "\(calls)")

        try licmgr("checkevent")
        calls = try summaries()
        XCTAssertEqual(calls.last?["command"] as? String, "checkevent")
        XCTAssertEqual(calls.last?["ordered"] as? Int, 1)

        let history = try licmgr("history", "--json").jsonArray.filter { $0["action"] as? String == "hook" }
        XCTAssertEqual(history.count, 2)
        XCTAssertEqual(Set(history.compactMap { $0["result"] as? String }), ["ok"])
    }

    func testHookRunsFromRootWithAnEnvironmentThatHoldsNoPassword() throws {
        try installHook(recorder)
        work.environment["LICMGR_PASSWORD"] = "secret"
        work.environment["LICMGR_OTHER"] = "inherited"
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7")
        let env = try String(contentsOf: work.directory.appendingPathComponent("env.txt"), encoding: .utf8)
        XCTAssertFalse(env.contains("secret"), env)
        XCTAssertFalse(env.contains("LICMGR_PASSWORD"), env)
        XCTAssertFalse(env.contains("LICMGR_OTHER"), env)
        XCTAssertTrue(env.contains("LICMGR_COMMAND=order\n"), env)
        XCTAssertTrue(env.contains("LICMGR_EXIT_CODE=0\n"), env)
        XCTAssertTrue(env.contains("LICMGR_CONFIG=\(work.configPath)\n"), env)
        XCTAssertTrue(env.contains("PATH="), env)
        let directory = try String(contentsOf: work.directory.appendingPathComponent("cwd.txt"), encoding: .utf8)
        XCTAssertEqual(directory, "/\n")
        XCTAssertFalse(try String(contentsOf: received, encoding: .utf8).contains("secret"))
    }

    func testHookIsToldOfAFailedRunWithItsExitCode() throws {
        // A port nothing listens on: the remote is unreachable.
        try installHook(recorder, url: "http://127.0.0.1:1/billmgr")
        try licmgr("checkevent", expect: 69)
        let summary = try XCTUnwrap(try summaries().first)
        XCTAssertEqual(summary["command"] as? String, "checkevent")
        XCTAssertEqual(summary["exit_code"] as? Int, 69)
        let error = summary["error"] as? [String: Any]
        XCTAssertEqual(error?["code"] as? Int, 69)
        XCTAssertNotNil(error?["message"] as? String)
        let env = try String(contentsOf: work.directory.appendingPathComponent("env.txt"), encoding: .utf8)
        XCTAssertTrue(env.contains("LICMGR_EXIT_CODE=69\n"), env)
    }

    func testAFailedRunSaysItsErrorBeforeTheHookWarns() throws {
        let path = try installHook("echo down too >&2\nexit 2", url: "http://127.0.0.1:1/billmgr")
        let run = try licmgr("sync", expect: 69)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, run.stderr)
        XCTAssertTrue(lines.first?.hasPrefix("licmgr: error: ") == true, run.stderr)
        XCTAssertEqual(lines.last.map(String.init), "licmgr: warning: hook \(path) exited 2: down too")
    }

    /// Exit 75 because another run holds the lock is not a failure worth a call: that run reports.
    func testARunThatFindsTheLockHeldCallsNoHook() throws {
        try installHook(recorder)
        try addService(7, ip: "10.0.0.7")
        let fd = open(work.databasePath + ".lock", O_RDWR | O_CREAT, 0o600)
        XCTAssertEqual(flock(fd, LOCK_EX), 0)
        defer { close(fd) }
        try licmgr("checkevent", expect: 75)
        XCTAssertEqual(try summaries().count, 0)
    }

    func testAFailingHookIsOneWarningAndLeavesTheExitCode() throws {
        let path = try installHook("cat > /dev/null\necho 'chat server: no route to host' >&2\necho more >&2\nexit 3")
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("order", "7")
        XCTAssertEqual(
            run.stderrLessPagingWarning, "licmgr: warning: hook \(path) exited 3: chat server: no route to host\n")
        let history = try licmgr("history", "--json").jsonArray.filter { $0["action"] as? String == "hook" }
        XCTAssertEqual(history.first?["result"] as? String, "failed")
        XCTAssertEqual(history.first?["detail"] as? String, "hook \(path) exited 3: chat server: no route to host")

        try FileManager.default.removeItem(atPath: path)
        try addService(8, ip: "10.0.0.8")
        let missing = try licmgr("order", "8")
        XCTAssertEqual(
            missing.stderrLessPagingWarning, "licmgr: warning: hook \(path) could not be run: no such file\n")
        try work.writeFile("hook.sh", "#!/bin/sh\nexit 0\n", mode: 0o644)
        try addService(9, ip: "10.0.0.9")
        let notExecutable = try licmgr("order", "9")
        XCTAssertEqual(
            notExecutable.stderrLessPagingWarning, "licmgr: warning: hook \(path) could not be run: not executable\n")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 3)
    }

    /// The hook ignores SIGTERM, and so does the child it waits on: both are killed once the
    /// grace period is over, and the run ends with its own exit code.
    func testAHookThatOverrunsIsStoppedWithinItsBound() throws {
        let pidFile = work.directory.appendingPathComponent("sleep.pid").path
        let path = try installHook("trap '' TERM\nsleep 60 &\necho $! > \(pidFile)\nwait $!", timeout: 1)
        try addService(7, ip: "10.0.0.7")
        let start = Date()
        let run = try licmgr("order", "7")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 10, "1 s of time and 2 s of grace")
        XCTAssertGreaterThanOrEqual(elapsed, 3, "SIGTERM was ignored: the grace period ran out")
        XCTAssertEqual(run.stderr, "licmgr: warning: hook \(path) took more than 1 seconds and was stopped\n")
        let sleeper = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmed))
        XCTAssertFalse(Self.isRunning(sleeper), "the hook's child was killed too")
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1)
    }

    func testHookPathMustBeAbsolute() throws {
        try work.writeConfig(url: sim.url, extra: "Hook hook.sh")
        let run = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(run.stderr.contains("Hook: 'hook.sh' is not an absolute path"), run.stderr)
        try work.writeConfig(url: sim.url, extra: "Hook /bin/true 0")
        try licmgr("config", "check", expect: 78)
    }

    func testConfigCheckShowsTheHookAndTheMetricsFileAndWarnsWhenTheyCannotWork() throws {
        let hook = work.directory.appendingPathComponent("hook.sh").path
        let metrics = work.directory.appendingPathComponent("missing/licmgr.prom").path
        try work.writeConfig(url: sim.url, extra: "Hook \(hook) 10\nMetricsFile missing/licmgr.prom")
        var check = try licmgr("config", "check")
        XCTAssertTrue(check.stdout.contains("hook            \(hook) (at most 10 s)\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("metrics file    \(metrics)\n"), check.stdout)
        XCTAssertEqual(
            check.stderr,
            "licmgr: warning: Hook \(hook) is not an executable file; runs will warn until it is\n"
                + "licmgr: warning: MetricsFile \(metrics): cannot write in \((metrics as NSString).deletingLastPathComponent)\n"
        )
        let json = try licmgr("config", "check", "--json").jsonObject
        XCTAssertEqual(json["hook"] as? String, hook)
        XCTAssertEqual(json["hook_timeout"] as? Int, 10)
        XCTAssertEqual(json["metrics_file"] as? String, metrics)

        try work.writeFile("hook.sh", "#!/bin/sh\nexit 0\n", mode: 0o755)
        try FileManager.default.createDirectory(
            atPath: (metrics as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        check = try licmgr("config", "check")
        XCTAssertEqual(check.stderr, "")
    }

    /// A typo on the command line is said to whoever typed it; nobody else needs a call.
    func testNoHookForAMistakeOnTheCommandLine() throws {
        try installHook(recorder)
        try licmgr("order", "999", expect: 65)
        try licmgr("renew", "999", expect: 65)
        try licmgr("newkey", "424242", expect: 65)
        try licmgr("order", "abc", expect: 64)
        XCTAssertEqual(try summaries().count, 0)
        // A failure that is not the command line's still calls it.
        try installHook(recorder, url: "http://127.0.0.1:1/billmgr")
        try addService(7, ip: "10.0.0.7")
        try licmgr("order", "7", expect: 69)
        XCTAssertEqual(try summaries().map { $0["exit_code"] as? Int }, [69])
    }

    /// During an outage the hook hears of it as cron's mail does: when it starts and when it
    /// ends, with `repeat` saying which error, how many runs and since when.
    func testARepeatingErrorCallsTheHookWhenItStartsAndWhenItEnds() throws {
        try installHook(recorder, url: "http://127.0.0.1:1/billmgr")
        for _ in 0..<3 { try licmgr("checkevent", expect: 69) }
        var calls = try summaries()
        XCTAssertEqual(calls.count, 1, "\(calls)")
        let started = try XCTUnwrap((calls.first?["repeat"] as? [[String: Any]])?.first)
        XCTAssertEqual(started["condition"] as? String, "remote_down")
        XCTAssertEqual(started["state"] as? String, "started")
        XCTAssertEqual(started["runs"] as? Int, 1)
        let since = try XCTUnwrap(started["since"] as? String)
        XCTAssertTrue(Self.isRFC3339(since), since)
        XCTAssertEqual(since, calls.first?["started_at"] as? String)

        try installHook(recorder)
        let back = try licmgr("checkevent")
        XCTAssertEqual(back.stdout, "", "nothing to do but say the outage ended")
        calls = try summaries()
        XCTAssertEqual(calls.count, 2, "\(calls)")
        XCTAssertEqual(calls.last?["exit_code"] as? Int, 0)
        let ended = try XCTUnwrap((calls.last?["repeat"] as? [[String: Any]])?.first)
        XCTAssertEqual(ended["state"] as? String, "ended")
        XCTAssertEqual(ended["runs"] as? Int, 3)
        XCTAssertEqual(ended["since"] as? String, since)
        try licmgr("checkevent")
        XCTAssertEqual(try summaries().count, 2, "an idle run after it is no news")
    }

    /// Purchases SpendLimit holds call the hook when the holding starts and when it clears,
    /// not every five minutes between.
    func testSpendLimitHoldsCallTheHookWhenTheyStartAndWhenTheyClear() throws {
        try installHook(recorder)
        try work.writeConfig(url: sim.url, extra: "SpendLimit 15\nHook \(work.directory.path)/hook.sh")
        try licmgr("import-tariffs")
        for id in 1...2 { try addService(id, ip: "10.0.0.\(id)") }
        for _ in 0..<3 { try licmgr("checkevent", expect: 75) }
        var calls = try summaries()
        XCTAssertEqual(calls.count, 1, "\(calls)")
        XCTAssertEqual(calls.first?["held"] as? Int, 1)
        let held = (calls.first?["repeat"] as? [[String: Any]])?.first
        XCTAssertEqual(held?["condition"] as? String, "spend_limit")
        XCTAssertEqual(held?["state"] as? String, "started")

        try work.writeConfig(url: sim.url, extra: "SpendLimit 100\nHook \(work.directory.path)/hook.sh")
        try licmgr("checkevent")
        calls = try summaries()
        XCTAssertEqual(calls.count, 2, "\(calls)")
        XCTAssertEqual(calls.last?["ordered"] as? Int, 1)
        let cleared = (calls.last?["repeat"] as? [[String: Any]])?.first
        XCTAssertEqual(cleared?["condition"] as? String, "spend_limit")
        XCTAssertEqual(cleared?["state"] as? String, "ended")
        XCTAssertEqual(cleared?["runs"] as? Int, 3)
    }

    /// A run's items say what each step spent, by the catalogue's price journaled with it, and
    /// `spent` their total, in `currency`.
    func testARealRunsItemsSayWhatTheySpent() throws {
        try installHook(recorder)
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8", addon: "panel=Pro")
        let run = try licmgr("order", "7", "8", "--json").jsonObject
        XCTAssertEqual(run["spent"] as? Double, 28.0, "\(run)")
        XCTAssertEqual(run["currency"] as? String, "EUR")
        let summary = try XCTUnwrap(try summaries().first)
        XCTAssertEqual(summary["spent"] as? Double, 28.0, "\(summary)")
        XCTAssertEqual(summary["currency"] as? String, "EUR")
        let items = try XCTUnwrap(summary["items"] as? [[String: Any]])
        let costs = Dictionary(
            items.filter { $0["action"] as? String == "ordered" }.map { ($0["service_id"] as? Int ?? 0, $0["cost"]) },
            uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(costs[7] as? Double, 10.0, "\(items)")
        XCTAssertEqual(costs[8] as? Double, 18.0, "\(items)")
        let unchanged = try licmgr("order", "7", "--json").jsonObject
        XCTAssertEqual(unchanged["spent"] as? Double, 0.0, "nothing bought, nothing spent")
        XCTAssertEqual((unchanged["items"] as? [[String: Any]])?.first?["cost"] as? NSNull, NSNull())
    }

    /// `2026-12-06T11:21:58Z`.
    private static func isRFC3339(_ text: String) -> Bool {
        text.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"#, options: .regularExpression) != nil
    }

    /// Alive and not a zombie waiting for a parent that will never reap it.
    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
