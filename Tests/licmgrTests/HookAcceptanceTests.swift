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
        XCTAssertNotNil(RunRecord.seconds(started))
        XCTAssertLessThanOrEqual(started, ended)

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
