import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// `Log`: a line per run and per remote step that spends money or changes a license.
final class LogTrailAcceptanceTests: AcceptanceTestCase {
    let today = Day(secondsSince1970: Int(Date().timeIntervalSince1970))

    var logPath: String { work.directory.appendingPathComponent("trail.log").path }

    func logLines() -> [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func testRunAndMoneyStepsAreLoggedToAFileAsTheyFinish() throws {
        try work.writeConfig(url: sim.url, extra: "Log trail.log")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        let due = try XCTUnwrap(
            try sim.seed([
                [
                    "licname": "Item #8 addon vps8", "ip": "10.0.0.8", "pricelist": "55227", "period": "1",
                    "expiredate": today.description,
                ]
            ]).first)
        XCTAssertEqual(logLines().count, 1, "import-tariffs changes nothing on the remote but is a run")
        try licmgr("checkevent")
        let ordered = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        let lines = logLines()
        let stamp = #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ licmgr\[\d+\]: "#
        for line in lines {
            XCTAssertNotNil(line.range(of: stamp, options: .regularExpression), line)
        }
        let orderKey = try XCTUnwrap(try work.store().operations(state: .done).first { $0.kind == .order }?.key)
        XCTAssertTrue(
            lines.contains {
                $0.hasSuffix(": step order \(orderKey) service=7 license=\(ordered) price=10.00 EUR: done")
            },
            lines.joined(separator: "\n"))
        XCTAssertTrue(
            lines.contains {
                $0.range(
                    of: #"step renew lm-[0-9a-f]+ service=8 license=\#(due) price=10.00 EUR: done$"#,
                    options: .regularExpression) != nil
            }, lines.joined(separator: "\n"))
        let run = try XCTUnwrap(lines.last)
        XCTAssertNotNil(
            run.range(
                of: #"run checkevent exit=0 attached=1 .*ordered=1 .*renewed=1 duration=\d+\.\d\ds$"#,
                options: .regularExpression), run)
        // The steps are written as they finish, so the run's line comes after them.
        XCTAssertLessThan(
            try XCTUnwrap(lines.firstIndex { $0.contains("step order") }),
            try XCTUnwrap(lines.firstIndex { $0.contains("run checkevent") }))
        var info = stat()
        XCTAssertEqual(stat(logPath, &info), 0)
        XCTAssertEqual(Int(info.st_mode) & 0o027, 0, "created 0640 at most")
    }

    func testFailedAndInDoubtStepsSayTheRemotesWordsAndTheRunItsError() throws {
        try work.writeConfig(url: sim.url, extra: "Log trail.log")
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft.order.param", "refuse", type: "value", message: "no such IP in the pool")
        try licmgr("checkevent", expect: 1)
        XCTAssertTrue(
            logLines().contains {
                $0.range(
                    of: #"step order lm-[0-9a-f]+ service=7: failed: .*no such IP in the pool"#,
                    options: .regularExpression) != nil
            }, logLines().joined(separator: "\n"))
        XCTAssertTrue(logLines().last?.contains("run checkevent exit=1 failed=1 duration=") == true, "\(logLines())")

        try sim.fault("soft.order.param", "commit-drop")
        try licmgr("order", "7", expect: 75)
        XCTAssertTrue(
            logLines().contains {
                $0.range(
                    of: #"step order lm-[0-9a-f]+ service=7: in doubt: .*; the next run settles it$"#,
                    options: .regularExpression) != nil
            }, logLines().joined(separator: "\n"))
        XCTAssertTrue(logLines().last?.contains("run order exit=75 ") == true, "\(logLines())")
        try licmgr("checkevent")
        let license = try XCTUnwrap(try work.store().licenses(serviceID: 7).first?.id)
        XCTAssertTrue(
            logLines().contains {
                $0.contains("step settle order ")
                    && $0.hasSuffix("license=\(license): applied: license \(license) is on the remote")
            },
            logLines().joined(separator: "\n"))
    }

    func testARunThatFailsBeforeTheRemoteOrOnTheLockStillHasItsLine() throws {
        try work.writeConfig(url: "http://127.0.0.1:1", extra: "Log trail.log")
        try licmgr("checkevent", expect: 69)
        XCTAssertTrue(
            logLines().last?.contains("run checkevent exit=69 duration=") == true
                && logLines().last?.contains("error: cannot reach http://127.0.0.1:1") == true, "\(logLines())")

        // The config parses, so the log is known, but lacks what the run needs.
        try work.writeFile("licmgr.conf", "User u\nDatabase licmgr.db\nLog trail.log\n")
        try licmgr("checkevent", expect: 78)
        XCTAssertTrue(
            logLines().last?.contains("run checkevent exit=78 duration=") == true
                && logLines().last?.contains("Url") == true, "\(logLines())")

        try work.writeConfig(url: sim.url, extra: "Log trail.log")
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft", "latency", ms: 1500)
        let first = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
        let lockPath = work.databasePath + ".lock"
        for _ in 0..<150 where ((try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? "").isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        try licmgr("checkevent", expect: 75)
        XCTAssertEqual(first.wait().status, 0)
        let held = try XCTUnwrap(logLines().first { $0.contains("exit=75") })
        XCTAssertTrue(held.contains("run checkevent exit=75 duration="), held)
        XCTAssertTrue(held.contains("holds the lock"), held)
        XCTAssertTrue(logLines().last?.contains("run checkevent exit=0 ordered=1") == true, "\(logLines())")
    }

    /// syslog(3) writes to /dev/log; a private mount namespace gives the run one of its own,
    /// where a listener reads what licmgr sends. Needs root, unshare(1) and python3.
    func testSyslogIsTheDefaultWithFacilityDaemonAndPriorities() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        else { throw XCTSkip("needs root, unshare and python3 to stand in for /dev/log") }
        try work.writeFile(
            "listen.py",
            """
            import socket, subprocess, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind('/dev/log')
            s.settimeout(1)
            subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while True:
                    print(s.recv(65536).decode())
            except socket.timeout:
                pass

            """)
        func syslog(_ arguments: String...) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            process.arguments =
                [
                    "-m", "--propagation", "private", "sh", "-c", #"mount -t tmpfs tmpfs /dev && exec python3 "$@""#,
                    "sh",
                    work.directory.appendingPathComponent("listen.py").path, Products.licmgr.path, "--config",
                    work.configPath,
                ] + arguments
            process.environment = Workspace.childEnvironment()
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        try addService(7, ip: "10.0.0.7")
        let done = try syslog("checkevent")
        guard !done.isEmpty else { throw XCTSkip("no private mount namespace here") }
        // <30>: facility daemon (3) * 8 + info (6).
        XCTAssertNotNil(
            done.range(
                of: #"<30>.* licmgr\[\d+\]: step order lm-[0-9a-f]+ service=7 license=\d+: done"#,
                options: .regularExpression),
            done)
        XCTAssertNotNil(
            done.range(of: #"<30>.* licmgr\[\d+\]: run checkevent exit=0 "#, options: .regularExpression), done)
        try work.writeConfig(url: "http://127.0.0.1:1")
        let failed = try syslog("checkevent")
        // <27>: daemon, err.
        XCTAssertNotNil(
            failed.range(of: #"<27>.* licmgr\[\d+\]: run checkevent exit=69 "#, options: .regularExpression), failed)
        XCTAssertFalse((done + failed).contains("secret"), "the password never reaches the log")
    }

    func testRunsWritingAtOnceNeverInterleave() throws {
        try work.writeConfig(url: sim.url, extra: "Log trail.log")
        try addService(7, ip: "10.0.0.7")
        let runs = try (0..<8).map { _ in try work.launch(arguments: ["--config", work.configPath, "checkevent"]) }
        let statuses = runs.map { $0.wait().status }
        XCTAssertEqual(statuses.filter { $0 == 0 }.count + statuses.filter { $0 == 75 }.count, 8, "\(statuses)")
        let lines = logLines()
        XCTAssertEqual(lines.filter { $0.contains(": run checkevent exit=") }.count, 8, lines.joined(separator: "\n"))
        for line in lines {
            XCTAssertNotNil(
                line.range(
                    of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ licmgr\[\d+\]: (run|step) [^\n]*$"#,
                    options: .regularExpression), line)
            XCTAssertEqual(line.components(separatedBy: "licmgr[").count, 2, line)
        }
    }

    func testThePasswordNeverReachesTheLog() throws {
        let password = "Pw-7c1e-never-logged"
        try work.writeConfig(url: sim.url, extra: "Log trail.log", password: password)
        try addService(7, ip: "10.0.0.7")
        try licmgr("checkevent", expect: 77)
        try work.writeConfig(url: "http://127.0.0.1:1", extra: "Log trail.log", password: password)
        try licmgr("checkevent", expect: 69)
        work.environment["LICMGR_PASSWORD"] = password + "-env"
        try licmgr("order", "7", expect: 69)
        let text = try String(contentsOfFile: logPath, encoding: .utf8)
        XCTAssertEqual(logLines().filter { $0.contains(": run ") }.count, 3, text)
        XCTAssertTrue(text.contains("exit=77"), text)
        XCTAssertFalse(text.contains(password), text)
        XCTAssertFalse(text.contains("Pw-7c1e"), text)
    }

    func testStderrCarriesJournaldPrioritiesUnderSystemd() throws {
        try work.writeConfig(url: sim.url, extra: "Log stderr")
        try addService(7, ip: "10.0.0.7")
        let plain = try licmgr("checkevent")
        XCTAssertTrue(plain.stderr.contains("licmgr: step order "), plain.stderr)
        XCTAssertTrue(plain.stderr.hasSuffix("\n"), plain.stderr)
        XCTAssertTrue(
            plain.stderr.split(separator: "\n").last?.hasPrefix("licmgr: run checkevent exit=0 ordered=1 ") == true,
            plain.stderr)

        work.environment["JOURNAL_STREAM"] = "8:12345"
        try work.writeConfig(url: "http://127.0.0.1:1", extra: "Log stderr")
        let failed = try licmgr("checkevent", expect: 69)
        XCTAssertTrue(failed.stderr.contains("\n<3>run checkevent exit=69 "), failed.stderr)
        try work.writeConfig(url: sim.url, extra: "Log stderr")
        try sim.fault("soft.order.param", "commit-drop")
        try addService(8, ip: "10.0.0.8")
        let doubt = try licmgr("checkevent", expect: 75)
        let lines = doubt.stderr.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("<4>step order ") && $0.contains(": in doubt: ") }, doubt.stderr)
        XCTAssertTrue(lines.contains { $0.hasPrefix("<4>run checkevent exit=75 ") }, doubt.stderr)
        let settled = try licmgr("checkevent")
        XCTAssertTrue(settled.stderr.contains("<6>step settle order "), settled.stderr)
        XCTAssertTrue(settled.stderr.contains("<6>run checkevent exit=0 settled=1"), settled.stderr)
    }

    func testAStepHeldBySpendLimitIsAWarning() throws {
        try work.writeConfig(url: sim.url, extra: "Log stderr\nSpendLimit 5")
        try licmgr("import-tariffs")
        try addService(7, ip: "10.0.0.7")
        work.environment["JOURNAL_STREAM"] = "8:12345"
        let run = try licmgr("checkevent", expect: 75)
        XCTAssertTrue(
            run.stderr.split(separator: "\n").contains {
                $0.range(
                    of:
                        #"^<4>step order lm-[0-9a-f]+ service=7 price=10\.00 EUR: held: SpendLimit 5\.00 would be passed"#,
                    options: .regularExpression) != nil
            }, run.stderr)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty)
    }

    func testLogNoneWritesNothingAndReadOnlyCommandsAreNotLogged() throws {
        try work.writeConfig(url: sim.url, extra: "Log stderr")
        try addService(7, ip: "10.0.0.7")
        let list = try licmgr("list")
        XCTAssertEqual(list.stderr, "", "a command that changes nothing remote has no run line")
        let dry = try licmgr("checkevent", "--dry-run")
        XCTAssertFalse(dry.stderr.contains("run checkevent"), dry.stderr)
        try work.writeConfig(url: sim.url, extra: "Log none")
        let run = try licmgr("checkevent")
        XCTAssertEqual(run.stderr, "")
    }

    func testAnUnwritableLogIsAWarningAndTheRunGoesOn() throws {
        let path = work.directory.appendingPathComponent("no-such-dir/trail.log").path
        try work.writeConfig(url: sim.url, extra: "Log \(path)")
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("checkevent")
        XCTAssertTrue(
            run.stderr.contains("licmgr: warning: the log file \(path) cannot be opened: No such file or directory"),
            run.stderr)
        XCTAssertEqual(try sim.state().calls("soft.order.param").count, 1, "the renewals and orders go on")
        let check = try licmgr("config", "check", expect: 78)
        XCTAssertTrue(check.stderr.contains(path), check.stderr)
    }
}
