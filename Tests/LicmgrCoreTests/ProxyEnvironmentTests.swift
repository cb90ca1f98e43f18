import XCTest

@testable import LicmgrCore

/// The proxy licmgr picks for the remote from the environment, as curl would.
final class ProxyEnvironmentTests: XCTestCase {
    private let remote = "https://my.example.com:1500/billmgr"

    private func proxy(_ environment: [String: String], for url: String? = nil) -> Proxy? {
        ProxyEnvironment(environment).proxy(for: url ?? remote)
    }

    func testTheSchemesOwnVariableComesFirstThenAllProxy() {
        XCTAssertEqual(
            proxy(["https_proxy": "http://a:3128", "HTTPS_PROXY": "http://b:3128", "all_proxy": "http://c:3128"]),
            Proxy(url: "http://a:3128", variable: "https_proxy"))
        XCTAssertEqual(
            proxy(["HTTPS_PROXY": "http://b:3128", "all_proxy": "http://c:3128"]),
            Proxy(url: "http://b:3128", variable: "HTTPS_PROXY"))
        XCTAssertEqual(
            proxy(["ALL_PROXY": "socks5://d:1080", "http_proxy": "http://e:3128"]),
            Proxy(url: "socks5://d:1080", variable: "ALL_PROXY"))
        XCTAssertNil(proxy(["http_proxy": "http://e:3128"]), "http_proxy is for http URLs")
        XCTAssertNil(proxy(["https_proxy": ""]), "an empty variable is no proxy")
    }

    func testUpperCaseHTTPProxyIsNeverRead() {
        // A CGI program gets HTTP_PROXY from a request's "Proxy:" header (httpoxy).
        XCTAssertNil(proxy(["HTTP_PROXY": "http://evil:80"], for: "http://127.0.0.1:8080/billmgr"))
        XCTAssertEqual(
            proxy(["http_proxy": "http://e:3128"], for: "http://127.0.0.1:8080/billmgr")?.variable, "http_proxy")
    }

    func testNoProxyNamesHostsDomainsAndNetworks() {
        let via = ["https_proxy": "http://proxy:3128"]
        func direct(_ noProxy: String, _ url: String? = nil) -> Bool {
            proxy(via.merging(["no_proxy": noProxy]) { $1 }, for: url) == nil
        }
        XCTAssertTrue(direct("*"))
        XCTAssertTrue(direct("my.example.com"))
        XCTAssertTrue(direct("MY.Example.com"), "host names compare without case")
        XCTAssertTrue(direct("example.com"), "a domain covers its hosts")
        XCTAssertTrue(direct(".example.com"))
        XCTAssertTrue(direct("localhost, example.com"))
        XCTAssertTrue(direct("localhost example.com"))
        XCTAssertFalse(direct("ample.com"), "only whole labels match")
        XCTAssertFalse(direct("other.example.com"))
        XCTAssertFalse(direct("*.example.com"), "curl takes no wildcards but a lone *")
        XCTAssertTrue(direct("10.0.0.0/8", "https://10.1.2.3/billmgr"))
        XCTAssertFalse(direct("10.0.0.0/8", "https://11.1.2.3/billmgr"))
        XCTAssertTrue(direct("10.1.2.3", "https://10.1.2.3:1500/billmgr"))
        XCTAssertTrue(direct("2001:db8::/32", "https://[2001:db8::1]:1500/billmgr"))
        XCTAssertTrue(direct("::1", "https://[::1]/billmgr"))
        XCTAssertFalse(direct("example.com", "https://10.1.2.3/billmgr"), "names never match an address")
        XCTAssertTrue(
            proxy(via.merging(["NO_PROXY": "example.com"]) { $1 }) == nil, "NO_PROXY when no_proxy is not set")
    }

    func testTheHostIsReadPastUserInfoAndPort() {
        XCTAssertEqual(ProxyEnvironment.schemeAndHost("HTTPS://u:p@Host.Example.:8443/x?y")?.0, "https")
        XCTAssertEqual(ProxyEnvironment.schemeAndHost("HTTPS://u:p@Host.Example.:8443/x?y")?.1, "host.example")
        XCTAssertEqual(ProxyEnvironment.schemeAndHost("https://[::1]:8443/")?.1, "::1")
        XCTAssertNil(ProxyEnvironment.schemeAndHost("no scheme"))
    }

    func testAProxyIsShownWithoutItsCredentials() {
        XCTAssertEqual(Proxy(url: "http://squid:hunter2@10.0.0.1:3128", variable: "x").shown, "http://10.0.0.1:3128")
        XCTAssertEqual(Proxy(url: "user:pw@10.0.0.1:3128", variable: "x").shown, "10.0.0.1:3128")
        XCTAssertEqual(Proxy(url: "http://10.0.0.1:3128/", variable: "x").shown, "http://10.0.0.1:3128/")
    }
}
