import Foundation
import LicmgrTestSupport
import XCTest

/// licmgr against the simulator behind real TLS (socat, with a CA and certificates made by
/// openssl here) and through a real HTTP proxy (tinyproxy) named by the environment: what
/// works, and what fails before anything reaches the remote, with one line that says why.
final class TLSAcceptanceTests: AcceptanceTestCase {
    var ca: TestCA!
    private var daemons: [LoopbackDaemon] = []

    override func setUpWithError() throws {
        for tool in ["openssl", "socat"] where LoopbackDaemon.tool(tool) == nil {
            throw XCTSkip("\(tool) is not installed here; make setup installs it")
        }
        try super.setUpWithError()
        ca = try TestCA(in: work.directory, name: "licmgr-test-ca")
        try addService(7, ip: "10.0.0.7")
    }

    override func tearDown() {
        for daemon in daemons { daemon.stop() }
        daemons = []
        super.tearDown()
    }

    /// The simulator behind TLS, with a certificate `issuer` signs for the subjectAltName `names`.
    func front(names: String = "IP:127.0.0.1,DNS:localhost", expired: Bool = false, issuer: TestCA? = nil) throws
        -> TLSFront
    {
        let simPort = try XCTUnwrap(URL(string: sim.url)?.port)
        let (certificate, key) = try (issuer ?? ca).issue("server-\(daemons.count)", names: names, expired: expired)
        let front = try TLSFront(
            forwardingTo: simPort, certificate: certificate, key: key,
            log: work.directory.appendingPathComponent("socat-\(daemons.count).log"))
        daemons.append(front.daemon)
        return front
    }

    func proxy(connectPorts: [Int]) throws -> HTTPProxy {
        if LoopbackDaemon.tool("tinyproxy") == nil {
            throw XCTSkip("tinyproxy is not installed here; make setup installs it")
        }
        let proxy = try HTTPProxy(directory: work.directory, connectPorts: connectPorts)
        daemons.append(proxy.daemon)
        return proxy
    }

    func configure(_ url: String, caFile: String?) throws {
        try work.writeConfig(url: url, extra: caFile.map { "CAFile \($0)" } ?? "")
    }

    /// Runs an order that must fail before sending: exit 69, one line on stderr holding
    /// `words`, and no call in the simulator's log.
    @discardableResult
    func assertRefusedBeforeSending(_ words: String, file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        let result = try licmgr("order", "7", expect: 69, file: file, line: line)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains(words), result.stderr, file: file, line: line)
        XCTAssertEqual(try sim.state().calls.map(\.function), [], "nothing reached the remote", file: file, line: line)
        XCTAssertEqual(try work.store().licenses(serviceID: 7).count, 0, file: file, line: line)
        return result.stderr
    }

    func assertServedOnce(file: StaticString = #filePath, line: UInt = #line) throws {
        let listed = try licmgr("list", "--json", file: file, line: line).jsonArray
        XCTAssertEqual(listed.count, 1, "\(listed)", file: file, line: line)
        XCTAssertEqual(try sim.state().licenses.count, 1, file: file, line: line)
        XCTAssertEqual(try work.store().licenses(serviceID: 7).count, 1, file: file, line: line)
    }

    // MARK: - TLS

    func testWithCAFileLicmgrWorksOverHTTPS() throws {
        let front = try front()
        try configure(front.url(), caFile: ca.certificate)
        try licmgr("fixchilds")
        try assertServedOnce()
        // The certificate's DNS name serves as well as its address.
        try configure(front.url(host: "localhost"), caFile: ca.certificate)
        try licmgr("sync")
        try assertServedOnce()
    }

    func testUntrustedCertificateExits69AndSendsNothing() throws {
        try configure(try front().url(), caFile: nil)
        try assertRefusedBeforeSending("not signed by an authority this system trusts; set CAFile")
    }

    func testCertificateOfAnotherAuthorityExits69AndSendsNothing() throws {
        let other = try TestCA(in: work.directory, name: "another-ca")
        try configure(try front().url(), caFile: other.certificate)
        try assertRefusedBeforeSending("not signed by an authority in CAFile \(other.certificate)")
    }

    func testCertificateForAnotherHostExits69AndSendsNothing() throws {
        try configure(try front(names: "DNS:other.example").url(), caFile: ca.certificate)
        try assertRefusedBeforeSending("the remote's certificate is not for 127.0.0.1")
    }

    func testExpiredCertificateExits69AndSendsNothing() throws {
        try configure(try front(expired: true).url(), caFile: ca.certificate)
        try assertRefusedBeforeSending("the remote's certificate has expired")
    }

    // MARK: - Proxy

    func testHTTPSProxyFromTheEnvironmentCarriesTheRequests() throws {
        let front = try front()
        let proxy = try proxy(connectPorts: [front.daemon.port])
        try configure(front.url(), caFile: ca.certificate)
        work.environment["https_proxy"] = proxy.url
        try licmgr("fixchilds")
        try assertServedOnce()
        XCTAssertTrue(
            proxy.connectRequests().contains { $0.hasSuffix("CONNECT 127.0.0.1:\(front.daemon.port) HTTP/1.1") },
            "\(proxy.connectRequests())")
    }

    func testProxyRefusingTheTunnelIsNamedAndNothingIsSent() throws {
        let front = try front()
        // Tunnels to another port only: tinyproxy answers this one's CONNECT with 403.
        let proxy = try proxy(connectPorts: [front.daemon.port == 443 ? 444 : 443])
        try configure(front.url(), caFile: ca.certificate)
        work.environment["https_proxy"] = proxy.url
        try assertRefusedBeforeSending(
            "the proxy \(proxy.url) (from https_proxy) refused to open a tunnel to it (HTTP 403)")
        XCTAssertFalse(proxy.connectRequests().isEmpty, "the proxy was asked")
    }

    func testClosedProxyIsNamedWithoutItsPassword() throws {
        let front = try front()
        let port = try LoopbackDaemon.freePort()
        try configure(front.url(), caFile: ca.certificate)
        work.environment["HTTPS_PROXY"] = "http://squid:hunter2@127.0.0.1:\(port)"
        let said = try assertRefusedBeforeSending(
            "the proxy http://127.0.0.1:\(port) (from HTTPS_PROXY) refused the connection")
        XCTAssertFalse(said.contains("hunter2"), said)
    }

    func testNoProxyHostIsReachedDirectly() throws {
        let front = try front()
        try configure(front.url(), caFile: ca.certificate)
        work.environment["https_proxy"] = "http://127.0.0.1:\(try LoopbackDaemon.freePort())"
        work.environment["no_proxy"] = "example.com, 127.0.0.0/8"
        try licmgr("fixchilds")
        try assertServedOnce()
    }
}
