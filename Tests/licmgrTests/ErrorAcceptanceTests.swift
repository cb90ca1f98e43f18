import LicmgrCore
import LicmgrTestSupport
import XCTest

final class ErrorAcceptanceTests: AcceptanceTestCase {
    func testConfigErrorNamesFileAndLineAndExits78() throws {
        try work.writeConfig(url: sim.url, extra: "Pric ipmgr 2891")
        let result = try licmgr("service", "list", expect: 78)
        XCTAssertTrue(
            result.stderr.contains("licmgr.conf:8: unknown directive 'Pric'; did you mean 'Price'?"), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, "one line")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.databasePath), "nothing was created")
    }

    func testReadablePasswordConfigIsRefusedWith77() throws {
        try work.writeConfig(url: sim.url, mode: 0o644)
        let result = try licmgr("config", "check", expect: 77)
        XCTAssertTrue(result.stderr.contains("chmod 600"), result.stderr)
        XCTAssertFalse(result.stderr.contains("secret"))
    }

    func testConfigCheckNeverPrintsThePassword() throws {
        try work.writeConfig(
            url: sim.url, extra: "Price ipmgr 2891\nPeriod ALL 1817 2891", password: "s3cret with blanks")
        let text = try licmgr("config", "check")
        XCTAssertTrue(text.stdout.contains("ipmgr -> tariff 2891"), text.stdout)
        let json = try licmgr("config", "check", "--json")
        XCTAssertEqual(json.jsonObject["user"] as? String, "reseller@example.com")
        for output in [text.stdout, json.stdout] {
            XCTAssertFalse(output.contains("s3cret"), output)
        }
    }

    func testBadIPIsRefusedAndNothingRecorded() throws {
        let result = try licmgr("service", "add", "7", "--name", "vps7", "--ip", "10.0.0.300", expect: 65)
        XCTAssertTrue(result.stderr.contains("'10.0.0.300' is not an IPv4 or IPv6 address"), result.stderr)
        XCTAssertNil(try work.store().service(7))
    }

    func testUnresolvableAddonIsRefused() throws {
        let result = try licmgr(
            "service", "add", "7", "--name", "vps7", "--ip", "10.0.0.7", "--addon", "panel=Gold", expect: 65)
        XCTAssertTrue(result.stderr.contains("panel=Gold"), result.stderr)
        XCTAssertNil(try work.store().service(7))
    }

    func testTruncatedImportChangesNothing() throws {
        let input = """
            {"id": 1, "name": "a", "ip": "10.0.0.1", "addons": {"panel": "Lite"}}
            {"id": 2, "name": "b", "ip": "10.0.0.2", "addons": {"panel":
            """
        let result = try licmgr("service", "import", "-", input: input, expect: 65)
        XCTAssertTrue(result.stderr.contains("line 2"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty, "all or nothing")
    }

    func testImportWithABadElementChangesNothing() throws {
        try work.writeFile(
            "services.json",
            """
            [{"id": 1, "name": "a", "ip": "10.0.0.1"}, {"id": 2, "name": "b", "ip": "nope"}]
            """)
        let result = try licmgr("service", "import", "services.json", expect: 65)
        XCTAssertTrue(result.stderr.contains("element 2"), result.stderr)
        XCTAssertTrue(try work.store().services(includeClosed: true).isEmpty)
    }

    func testRefusedCredentialsExit77() throws {
        try work.writeConfig(url: sim.url, password: "wrong")
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", expect: 77)
        XCTAssertFalse(result.stderr.contains("wrong"), "the password is never printed")
        XCTAssertTrue(try sim.state().licenses.isEmpty)
    }

    func testPasswordFromEnvironmentOverridesTheFile() throws {
        try work.writeConfig(url: sim.url, password: "wrong")
        try addService(7, ip: "10.0.0.7")
        work.environment["LICMGR_PASSWORD"] = "secret"
        try licmgr("order", "7")
        XCTAssertEqual(try sim.state().licenses.count, 1)
    }

    func testUnreachableRemoteExits69() throws {
        sim.stop()
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", expect: 69)
        XCTAssertTrue(result.stderr.contains("cannot reach"), result.stderr)
    }

    func testFailedTLSExits69() throws {
        // The simulator speaks plain HTTP: a TLS handshake with it fails, as with a bad certificate.
        try work.writeConfig(url: sim.url.replacingOccurrences(of: "http://", with: "https://"))
        try addService(7, ip: "10.0.0.7")
        let result = try licmgr("order", "7", expect: 69)
        XCTAssertTrue(result.stderr.contains("TLS with https://127.0.0.1"), result.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty, "nothing was sent in clear text")
    }

    func testGarbageAnswerToAListExits76() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft", "garbage")
        let result = try licmgr("order", "7", expect: 76)
        XCTAssertTrue(result.stderr.contains("not BILLmanager's protocol"), result.stderr)
        XCTAssertTrue(try sim.state().calls("soft.order.param").isEmpty)
    }

    func testHeldLockExits75AndNamesTheHolder() throws {
        try addService(7, ip: "10.0.0.7")
        let lock = try RunLock(path: work.databasePath + ".lock")
        let result = try licmgr("order", "7", expect: 75)
        XCTAssertTrue(result.stderr.contains("process \(getpid()) holds the lock"), result.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty)
        withExtendedLifetime(lock) {}
    }

    func testErrorsUnderJSONGoToStdoutAsAnObject() throws {
        let result = try licmgr("service", "show", "42", "--json", expect: 65)
        let error = try XCTUnwrap(result.jsonObject["error"] as? [String: Any])
        XCTAssertEqual(error["code"] as? Int, 65)
        XCTAssertTrue((error["message"] as? String ?? "").contains("42"))
    }
}

/// The password never shows: not in output, errors, history, the journal or the database.
final class SecretAcceptanceTests: AcceptanceTestCase {
    static let password = "Sup3r-S3cret pass"
    override var simulatorArguments: [String] { ["--password", Self.password] }

    func testThePasswordIsNowhereAfterARoughSession() throws {
        try work.writeConfig(url: sim.url, extra: "Log trail.log", password: Self.password)
        try addService(7, ip: "10.0.0.7")
        try addService(8, ip: "10.0.0.8")
        try sim.fault("soft.order.param", "garbage")
        var outputs = [try licmgr("order", "7", "8", "--json", expect: 76)]
        try sim.fault("soft.order.param", "commit-drop")
        outputs.append(try licmgr("order", "7", "8", expect: 75))
        outputs.append(try licmgr("checkevent", "-v"))
        outputs.append(try licmgr("history"))
        outputs.append(try licmgr("journal", "--all", "--json"))
        outputs.append(try licmgr("config", "check", "--json"))
        for output in outputs {
            XCTAssertFalse((output.stdout + output.stderr).contains("S3cret"), output.stdout + output.stderr)
        }
        let state = try FileManager.default.contentsOfDirectory(atPath: work.directory.path).filter {
            $0.hasPrefix("licmgr.db") || $0 == "trail.log"
        }
        XCTAssertTrue(state.contains("licmgr.db"))
        XCTAssertTrue(state.contains("trail.log"))
        for file in state {
            let data = try Data(contentsOf: work.directory.appendingPathComponent(file))
            XCTAssertNil(data.range(of: Data("S3cret".utf8)), "\(file) holds no password")
        }
    }
}

extension SecretAcceptanceTests {
    /// A run killed by a signal that dumps core leaves no core file, where on the same
    /// machine a process that may be dumped leaves one. SIGSYS, as the Swift runtime
    /// catches SIGQUIT and the crash signals to print a backtrace.
    func testAKilledRunLeavesNoCoreDump() throws {
        try work.writeConfig(url: sim.url, password: Self.password)
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft", "latency", ms: 2000)
        let (control, run) = try withCoreDumpsAllowed {
            let control = Process()
            control.executableURL = URL(fileURLWithPath: "/bin/sleep")
            control.arguments = ["5"]
            control.currentDirectoryURL = work.directory
            try control.run()
            let run = try work.launch(arguments: ["--config", work.configPath, "checkevent"])
            return (control, run)
        }
        kill(control.processIdentifier, SIGSYS)
        control.waitUntilExit()
        guard control.terminationReason == .uncaughtSignal, !(try coreFiles()).isEmpty else {
            _ = run.wait()
            throw XCTSkip("this machine writes no core file to the working directory: nothing to observe")
        }
        for file in try coreFiles() {
            try FileManager.default.removeItem(at: work.directory.appendingPathComponent(file))
        }
        // The run holds the lock, so it is past its start, and waits on the slow remote.
        let lockPath = work.databasePath + ".lock"
        for _ in 0..<150 where ((try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? "").isEmpty {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(run.pid, SIGSYS)
        XCTAssertEqual(run.wait().status, SIGSYS)
        XCTAssertEqual(try coreFiles(), [])
    }

    private func coreFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: work.directory.path).filter { $0.hasPrefix("core") }
    }

    /// Runs `body` with this process's soft core size limit raised, for the children it starts.
    private func withCoreDumpsAllowed<T>(_ body: () throws -> T) throws -> T {
        var saved = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &saved)
        var raised = saved
        raised.rlim_cur = saved.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &raised)
        defer { setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &saved) }
        return try body()
    }
}

/// A remote page that echoes the request shows no piece of the password, in any encoding.
final class EchoedSecretAcceptanceTests: AcceptanceTestCase {
    static let password = "p@ss w0rd:ü/long-enough-to-be-cut-secret"
    override var simulatorArguments: [String] { ["--password", Self.password] }

    /// Every 6 characters in a row of the password and of its form encoding.
    private var pieces: [String] {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = Self.password.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        return [Self.password, encoded].flatMap { form in
            let characters = Array(form)
            return (0...(characters.count - 6)).map { String(characters[$0..<$0 + 6]) }
        }
    }

    private func assertNoPiece(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let unescaped = text.replacingOccurrences(of: "\\/", with: "/")
        for piece in pieces where text.contains(piece) || unescaped.contains(piece) {
            XCTFail("\(what) holds '\(piece)': \(text)", file: file, line: line)
        }
    }

    func testAnEchoedRequestShowsNoPieceOfThePassword() throws {
        try work.writeConfig(url: sim.url, password: Self.password)
        try addService(7, ip: "10.0.0.7")
        try sim.fault("soft", "echo", times: 2)
        let text = try licmgr("checkevent", expect: 76)
        XCTAssertTrue(text.stderr.contains("authinfo=********"), text.stderr)
        var outputs = [text, try licmgr("checkevent", "--json", expect: 76)]
        try sim.fault("soft.order.param", "echo")
        outputs.append(try licmgr("order", "7", "--json", expect: 76))
        outputs.append(try licmgr("history"))
        outputs.append(try licmgr("history", "--json"))
        outputs.append(try licmgr("journal", "--all", "--json"))
        for output in outputs {
            assertNoPiece(output.stdout, "stdout")
            assertNoPiece(output.stderr, "stderr")
        }
        let store = try work.store()
        let history = try store.history(serviceID: nil, licenseID: nil)
        XCTAssertFalse(history.isEmpty)
        for entry in history { assertNoPiece("\(entry)", "a history row") }
        let journal = try store.operations(state: .pending)
        XCTAssertEqual(journal.count, 1)
        for operation in journal { assertNoPiece("\(operation)", "a journal row") }
        for file in try FileManager.default.contentsOfDirectory(atPath: work.directory.path)
        where file.hasPrefix("licmgr.db") {
            let data = try Data(contentsOf: work.directory.appendingPathComponent(file))
            assertNoPiece(String(decoding: data, as: UTF8.self), file)
        }
    }
}
