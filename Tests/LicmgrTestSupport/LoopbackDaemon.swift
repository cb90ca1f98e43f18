import Foundation

/// A Debian tool the tests run in the background on a free loopback port: socat to put the
/// simulator behind TLS, tinyproxy as an HTTP proxy. A shell holds it and kills it with
/// SIGKILL when the shell's stdin closes, which `stop()` does and the test process's death
/// does too: a child Foundation started may ignore SIGTERM (a blocked signal mask).
public final class LoopbackDaemon: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let stdin: Pipe

    /// The tool's path, or nil when it is not installed.
    public static func tool(_ name: String) -> String? {
        ["/usr/bin", "/usr/sbin", "/bin", "/sbin"].map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `executable` with the arguments `arguments(port)` gives for a free port, its
    /// output in `log`, and returns once the port takes connections. A port another process
    /// took meanwhile is tried again with a new one; each try waits 5 s at most.
    public init(_ executable: String, log: URL, arguments: (Int) throws -> [String]) throws {
        var lastFailure = ""
        for _ in 0..<3 {
            let port = try Self.freePort()
            let process = Process()
            let stdin = Pipe()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            // Background jobs of a shell read /dev/null, so the watcher reads the pipe on fd 3.
            // The shell ends when the tool ends: a tool that could not listen shows at once.
            process.arguments =
                [
                    "-c", "exec 3<&0; \"$@\" & pid=$!; (cat <&3 >/dev/null; kill -9 $pid) & wait $pid", "sh",
                    executable,
                ] + (try arguments(port))
            process.standardInput = stdin
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            output.seekToEndOfFile()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            if Self.waitUntilListening(port: port, while: process) {
                self.port = port
                self.process = process
                self.stdin = stdin
                return
            }
            try? stdin.fileHandleForWriting.close()
            process.waitUntilExit()
            lastFailure = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        }
        throw ToolError("\(executable) did not listen: \(lastFailure)")
    }

    deinit { stop() }

    /// Closing the pipe also ends the watcher of a tool that died by itself.
    public func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.waitUntilExit() }
    }

    /// A loopback port no one listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { throw ToolError("bind 127.0.0.1:0: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func waitUntilListening(port: Int, while process: Process) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, process.isRunning {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(fd)
            if connected == 0 { return true }
            usleep(20_000)
        }
        return false
    }
}

/// socat terminating TLS on a loopback port and passing the plain stream to `target`.
public final class TLSFront {
    public let daemon: LoopbackDaemon

    public init(forwardingTo target: Int, certificate: String, key: String, log: URL) throws {
        daemon = try LoopbackDaemon(LoopbackDaemon.tool("socat") ?? "socat", log: log) { port in
            [
                "OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,cert=\(certificate),key=\(key),verify=0",
                "TCP:127.0.0.1:\(target)",
            ]
        }
    }

    /// The simulator's API behind this front.
    public func url(host: String = "127.0.0.1") -> String { "https://\(host):\(daemon.port)/billmgr" }
}

/// tinyproxy on a loopback port, taking clients from 127.0.0.1 only and opening CONNECT
/// tunnels to `connectPorts` only; its log is `log`.
public final class HTTPProxy {
    public let daemon: LoopbackDaemon
    public let log: URL

    public init(directory: URL, connectPorts: [Int]) throws {
        let name = "tinyproxy-\(UUID().uuidString)"
        log = directory.appendingPathComponent("\(name).log")
        let config = directory.appendingPathComponent("\(name).conf")
        let log = self.log
        daemon = try LoopbackDaemon(LoopbackDaemon.tool("tinyproxy") ?? "tinyproxy", log: log) { port in
            let lines =
                ["Port \(port)", "Listen 127.0.0.1", "Timeout 10", "MaxClients 10", "Allow 127.0.0.1", "LogLevel Info"]
                + connectPorts.map { "ConnectPort \($0)" }
            try (lines.joined(separator: "\n") + "\n").write(to: config, atomically: true, encoding: .utf8)
            // In the foreground, logging to stderr, which is the log file.
            return ["-d", "-c", config.path]
        }
    }

    public var url: String { "http://127.0.0.1:\(daemon.port)" }

    /// The CONNECT requests the proxy received, as its log shows them.
    public func connectRequests() -> [String] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("): CONNECT ") }.map(String.init)
    }
}

/// A tool the tests run (openssl, socat, tinyproxy) failed; says what it said.
public struct ToolError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
