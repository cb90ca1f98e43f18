import ArgumentParser
import FlyingFox
import FlyingSocks
import Foundation

@main
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billmgr-sim",
        abstract: "Simulates BILLmanager's license-reselling API for licmgr's tests and demo."
    )

    @Option(help: "Loopback address to listen on; nothing reachable from other hosts is accepted.")
    var host = "127.0.0.1"
    @Option(help: "TCP port; 0 picks a free one.")
    var port: UInt16 = 0
    @Option(help: "Reseller account name.")
    var user = "reseller@example.com"
    @Option(help: "Reseller account password.")
    var password = "secret"
    @Option(help: "Starting balance in EUR.")
    var balance = "1000.00"
    @Option(
        help: ArgumentHelp(
            "Largest page `soft` returns whatever the client asks, to force paging (0: no cap).",
            discussion: "Under the paging trait the cap is never reported and defaults to \(LicenseBook.silentPageCap)."
        ))
    var maxPage = 0
    @Option(
        help: ArgumentHelp(
            "Calls a session answers before it dies (0: sessions live for the whole run).",
            discussion: "Under the session-access trait the default is \(LicenseBook.shortSessionCalls)."))
    var sessionCalls: Int?
    @Option(help: "The simulator's current date, YYYY-MM-DD (default: today in UTC).")
    var today: String?
    @Option(help: "Views a new order spends in status 5 (processing) before it gets its key.")
    var processingViews = 0
    @Option(help: "Milliseconds every API call waits before it is answered (a remote's round trip).")
    var latency = 0
    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Log every call for GET /sim/state; without it, only counts by function for GET /sim/calls.",
            discussion: "The log keeps each call's parameters, some 340 bytes a call: 70 MB over the "
                + "200,000 calls of a big benchmark run."))
    var callLog = true
    @Option(
        help: ArgumentHelp(
            "How the remote words its answers: classic, all, or traits separated by commas.",
            discussion: "Traits: " + Dialect.names.map(\.0).joined(separator: ", ")
                + ". Each answers as the real server is believed to (shared/spec/billmgr-api.md)."))
    var dialect = "classic"
    @Flag(help: "Exit when standard input reaches end of file.")
    var watchStdin = false

    /// Handlers outlive any scripted delay (a `noanswer` fault waits 30 s unless told) and
    /// licmgr's own 60-second timeout; FlyingFox would answer 500 on its own after this. No
    /// longer: FlyingFox races every request against a sleep of this length, and a cancelled
    /// sleep keeps its memory until its deadline (swiftlang/swift#60441), some 700 bytes a call.
    private static let handlerTimeout: TimeInterval = 120

    private enum Bind {
        case v4(String), v6(String)
    }

    private var bind: Bind? {
        switch host {
        case "localhost": .v4("127.0.0.1")
        case "::1": .v6("::1")
        case _ where host.hasPrefix("127.") && IPAddress.isV4(host): .v4(host)
        default: nil
        }
    }

    func validate() throws {
        guard bind != nil else { throw ValidationError("--host must be a loopback address such as 127.0.0.1") }
        guard Money.parse(balance) != nil else { throw ValidationError("--balance must be an amount like 1000.00") }
        if let today, Day(today) == nil { throw ValidationError("--today must be YYYY-MM-DD") }
        if case .failure(let error) = Dialect.parse(dialect) {
            throw ValidationError("--dialect: unknown trait '\(error.word)'")
        }
        guard maxPage >= 0, processingViews >= 0, latency >= 0, (sessionCalls ?? 0) >= 0 else {
            throw ValidationError("--max-page, --session-calls, --processing-views and --latency cannot be negative")
        }
        guard TimeInterval(latency) < Self.handlerTimeout * 1000 else {
            throw ValidationError("--latency must be under \(Int(Self.handlerTimeout)) seconds")
        }
    }

    func run() async throws {
        for number in [SIGTERM, SIGINT] {
            _ = signal(number) { _ in _exit(0) }
        }
        if watchStdin { Self.exitAtEndOfInput() }

        let dialect = try Dialect.parse(self.dialect).get()
        let book = LicenseBook(
            config: .init(
                user: user, password: password, balance: Money.parse(balance)!,
                maxPage: maxPage == 0 && dialect.contains(.paging) ? LicenseBook.silentPageCap : maxPage,
                processingViews: processingViews, today: today.flatMap(Day.init) ?? .todayUTC(),
                logsCalls: callLog, dialect: dialect,
                sessionCalls: sessionCalls ?? (dialect.contains(.sessionAccess) ? LicenseBook.shortSessionCalls : 0)))
        let server =
            switch bind! {
            case .v4(let ip): Self.server(on: try sockaddr_in.inet(ip4: ip, port: port))
            case .v6(let ip): Self.server(on: try sockaddr_in6.inet6(ip6: ip, port: port))
            }
        await server.appendRoute("/sim/*", to: ControlHandler(book: book))
        await server.appendRoute(
            "*", to: APIHandler(book: book, latency: .milliseconds(latency), redirects: dialect.contains(.redirects)))

        let running = Task { try await server.run() }
        do {
            try await server.waitUntilListening()
        } catch {
            try await running.value  // surfaces the bind error rather than the wait's timeout
            throw error
        }
        let (url, boundPort) =
            switch await server.listeningAddress {
            case .ip4(let ip, let port): ("http://\(ip):\(port)/billmgr", port)
            case .ip6(let ip, let port): ("http://[\(ip)]:\(port)/billmgr", port)
            default: throw ValidationError("the server is not listening on an IP address")
            }
        if !Self.sendWithoutDelay(port: boundPort) {
            FileHandle.standardError.write(
                Data(
                    "billmgr-sim: cannot set TCP_NODELAY; calls on a kept-alive connection will take 40 ms more\n".utf8)
            )
        }
        // Written unbuffered: the test harness reads this line from a pipe to learn the port.
        FileHandle.standardOutput.write(Data("billmgr-sim listening on \(url)\n".utf8))
        try await running.value
    }

    private static func server(on address: some SocketAddress) -> HTTPServer {
        HTTPServer(address: address, timeout: handlerTimeout, logger: DisabledLogger.disabled)
    }

    /// FlyingFox sends a response's head and body in two writes, so on a kept-alive connection
    /// Nagle's algorithm holds the body back until the client's delayed ACK of the head: 40 ms
    /// more per call after a connection's first, which a real remote (nginx sets tcp_nodelay)
    /// does not add. FlyingFox has no hook on the sockets it accepts, but Linux gives each the
    /// listening socket's TCP_NODELAY, so this sets it on the socket listening on `port`.
    private static func sendWithoutDelay(port: UInt16) -> Bool {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in descriptors.compactMap({ Int32($0) }) {
            var listening: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening == 1,
                boundPort(of: descriptor) == port
            else { continue }
            var on: Int32 = 1
            return setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                == 0
        }
        return false
    }

    private static func boundPort(of descriptor: Int32) -> UInt16? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        return withUnsafeBytes(of: address) { raw in
            switch Int32(address.ss_family) {
            case AF_INET: UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port)
            case AF_INET6: UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)
            default: nil
            }
        }
    }

    /// Tests start the simulator with a pipe on stdin and close it to stop us, because
    /// Foundation's Process may not deliver SIGTERM. The read blocks, so it gets its own
    /// thread rather than a slot in the small cooperative pool.
    private static func exitAtEndOfInput() {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count == 0 || (count < 0 && errno != EINTR) { _exit(0) }
            }
        }
    }
}
