import Foundation
import XCTest

@testable import LicmgrCore

/// The hook's process handling, on real shell scripts: pipes that fill, output that floods,
/// hooks that die or never read.
final class HookRunnerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func script(_ body: String) throws -> HookRunner {
        let path = directory.appendingPathComponent("hook").path
        FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n\(body)\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return HookRunner(path: path, timeout: 5, grace: 1)
    }

    /// More than a pipe holds: all of it arrives.
    func testALargeInputArrivesWhole() throws {
        let out = directory.appendingPathComponent("got").path
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let outcome = try script("cat > \(out)").run(input: input, environment: [:])
        XCTAssertEqual(outcome, .exited(code: 0, firstLine: ""))
        XCTAssertEqual(FileManager.default.contents(atPath: out)?.count, input.count)
    }

    /// A hook that never reads its stdin and exits is not waited on, and licmgr survives the SIGPIPE.
    func testAHookThatNeverReadsIsNotWaitedOn() throws {
        let input = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let start = Date()
        let outcome = try script("echo done >&2\nexit 4").run(input: input, environment: [:])
        XCTAssertEqual(outcome, .exited(code: 4, firstLine: "done"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
    }

    /// A flood on stderr neither blocks the hook nor grows without bound; its first line is kept.
    func testAStderrFloodIsDrainedAndBounded() throws {
        let outcome = try script("echo first >&2\nhead -c 2000000 /dev/zero | tr '\\0' y >&2\nexit 1")
            .run(input: [], environment: [:])
        XCTAssertEqual(outcome, .exited(code: 1, firstLine: "first"))
    }

    func testAHookKilledBySignalSaysWhich() throws {
        let outcome = try script("kill -KILL $$").run(input: [], environment: [:])
        XCTAssertEqual(outcome, .killed(signal: SIGKILL, firstLine: ""))
        XCTAssertEqual(outcome.summary, "was killed by signal 9")
    }

    /// A hook that honours SIGTERM is stopped without waiting out the grace period.
    func testAnOverrunningHookThatHonoursTermEndsAtOnce() throws {
        var runner = try script("echo started >&2\nexec sleep 30")
        runner.timeout = 0.5
        runner.grace = 5
        let start = Date()
        let outcome = runner.run(input: [], environment: [:])
        XCTAssertEqual(outcome, .timedOut(seconds: 0.5, firstLine: "started"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
        XCTAssertEqual(outcome.summary, "took more than 0.5 seconds and was stopped: started")
    }

    func testOnlyTheGivenEnvironmentReachesTheHook() throws {
        let out = directory.appendingPathComponent("env").path
        let outcome = try script("/usr/bin/env > \(out)").run(input: [], environment: ["ONLY": "this"])
        XCTAssertTrue(outcome.succeeded)
        // sh itself may add PWD, SHLVL and _.
        let names = Set(
            (try String(contentsOfFile: out, encoding: .utf8)).split(separator: "\n").map {
                String($0.prefix { $0 != "=" })
            })
        XCTAssertEqual(names.subtracting(["PWD", "SHLVL", "_"]), ["ONLY"])
    }

    // MARK: - Capturing stdout, for the ServiceSource

    func testCaptureTakesAllOfStdoutAndTheArgumentsAsGiven() throws {
        var runner = try script("printf '%s\\n' \"$@\"\nhead -c 200000 /dev/zero | tr '\\0' x")
        runner.arguments = ["a b", "$HOME", "*"]
        let (outcome, output) = runner.capture(environment: [:], limit: 1 << 20)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(output.count, 200_000 + "a b\n$HOME\n*\n".utf8.count)
        XCTAssertTrue(output.starts(with: Array("a b\n$HOME\n*\n".utf8)))
    }

    func testAProgramThatFailsGivesNoOutput() throws {
        let (outcome, output) = try script("echo partial\necho broken >&2\nexit 2").capture(
            environment: [:], limit: 100)
        XCTAssertEqual(outcome, .exited(code: 2, firstLine: "broken"))
        XCTAssertEqual(output, [])
    }

    func testAProgramPrintingPastTheLimitIsStopped() throws {
        let start = Date()
        let (outcome, output) = try script("echo flooding >&2\nexec cat /dev/zero").capture(
            environment: [:], limit: 1 << 20)
        XCTAssertEqual(outcome, .tooMuchOutput(bytes: 1 << 20, firstLine: "flooding"))
        XCTAssertEqual(outcome.summary, "printed more than 1 MiB and was stopped: flooding")
        XCTAssertEqual(output, [])
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
        let (exited, _) = try script("head -c 2000000 /dev/zero").capture(environment: [:], limit: 1 << 20)
        XCTAssertEqual(exited, .tooMuchOutput(bytes: 1 << 20, firstLine: ""), "even when it has exited by then")
    }
}
