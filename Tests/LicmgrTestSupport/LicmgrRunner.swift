import Foundation
import LicmgrCore

/// What one run of the licmgr binary did.
public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    /// stdout parsed as one JSON document.
    public func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }

    /// stderr less the warning that names a remote whose p_elems is not the list's total: said
    /// once per database, by whichever run first meets a simulator speaking the paging trait.
    public var stderrLessPagingWarning: String {
        stderr.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("licmgr: warning: ") || !$0.contains("p_elems is not the list's total") }
            .joined(separator: "\n")
    }

    public var jsonObject: [String: Any] { ((try? json()) as? [String: Any]) ?? [:] }
    public var jsonArray: [[String: Any]] { ((try? json()) as? [[String: Any]]) ?? [] }
}

/// A scratch directory with a config file and a database, and a way to run the binary on it.
public final class Workspace {
    public let directory: URL
    public var configPath: String { directory.appendingPathComponent("licmgr.conf").path }
    public var databasePath: String { directory.appendingPathComponent("licmgr.db").path }
    /// Set for every run, over the test process's own environment.
    public var environment: [String: String] = [:]

    /// Removed from every run's environment unless `environment` sets them: a proxy of the
    /// machine the tests run on must not stand between licmgr and the loopback simulator.
    public static let proxyVariables = [
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
    ]

    /// The test process's environment as a licmgr child gets it, before `environment`.
    public static func childEnvironment() -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LICMGR_CONFIG")
        for name in Self.proxyVariables { env.removeValue(forKey: name) }
        return env
    }

    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("licmgr-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes the config: the simulator's address and credentials, then `extra` lines.
    public func writeConfig(url: String, extra: String = "", password: String = "secret", mode: Int = 0o600) throws {
        let text = """
            # written by the acceptance tests
            Url       \(url)
            User      reseller@example.com
            Password  \(password)
            Database  licmgr.db
            Timeout   3
            ConnectTimeout 2
            \(extra)

            """
        try writeFile("licmgr.conf", text, mode: mode)
    }

    public func writeFile(_ name: String, _ text: String, mode: Int = 0o600) throws {
        let path = directory.appendingPathComponent(name).path
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Runs `licmgr --config <this workspace's config> ARGS`, with `input` on stdin.
    @discardableResult
    public func licmgr(_ arguments: [String], input: String? = nil, config: Bool = true) throws -> RunResult {
        try run(arguments: (config ? ["--config", configPath] : []) + arguments, input: input)
    }

    public func run(arguments: [String], input: String? = nil) throws -> RunResult {
        try launch(arguments: arguments, input: input).wait()
    }

    /// Starts licmgr and returns at once; `wait()` collects what it did. `through` is a program
    /// and its arguments that start licmgr in turn (`setpriv` to run it as another user).
    public func launch(arguments: [String], input: String? = nil, through: [String] = []) throws -> RunningLicmgr {
        let process = Process()
        if let wrapper = through.first {
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = through.dropFirst() + [Products.licmgr.path] + arguments
        } else {
            process.executableURL = Products.licmgr
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = Self.childEnvironment()
        env.removeValue(forKey: "LICMGR_PASSWORD")
        env.merge(environment) { $1 }
        process.environment = env
        // Files, not pipes: a chatty child cannot block on a full pipe while we wait for it.
        let out = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let err = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        return RunningLicmgr(process: process, stdout: out, stderr: err)
    }

    /// Runs `licmgr --config <this workspace's config> ARGS` on a pseudo-terminal (util-linux
    /// `script`), stdout and stderr both, or stderr into a file with `stderrToFile`; returns
    /// what the terminal showed, carriage returns and escapes as written, and that file.
    /// `columns` gives the terminal that width.
    public func onTerminal(_ arguments: [String], stderrToFile: Bool = false, columns: Int? = nil) throws -> (
        terminal: String, stderrFile: String
    ) {
        let errors = directory.appendingPathComponent(".terminal-stderr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errors) }
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let words = [Products.licmgr.path, "--config", configPath] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = [
            "-qec",
            // `script` gives its terminal no size when its own stdin is none: `stty` sets one.
            (columns.map { "stty cols \($0) rows 24; " } ?? "") + words.map(quoted).joined(separator: " ")
                + (stderrToFile ? " 2>" + quoted(errors.path) : ""),
            "/dev/null",
        ]
        process.currentDirectoryURL = directory
        var env = Self.childEnvironment()
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: bytes, as: UTF8.self), (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// Opens the workspace's database the way licmgr does, to check what it holds.
    public func store() throws -> SQLiteStore {
        try SQLiteStore(path: databasePath)
    }
}

/// A licmgr process started by `Workspace.launch`.
public struct RunningLicmgr {
    let process: Process
    let stdout: URL
    let stderr: URL

    public var pid: pid_t { process.processIdentifier }

    /// Kills the run at once, as the OOM killer or a reboot would.
    public func kill() {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Sends `number` (SIGTERM, SIGINT), as a service manager or a person at the terminal would.
    public func signal(_ number: Int32) {
        _ = Foundation.kill(process.processIdentifier, number)
    }

    public var isRunning: Bool { process.isRunning }

    /// What the run has written to stdout so far, read while it runs.
    public func stdoutSoFar() -> String {
        (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
    }

    public func wait() -> RunResult {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
        return RunResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }
}
