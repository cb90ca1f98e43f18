import FoundationEssentials
import Glibc

/// The proxy variables of the environment, read the way curl reads them. licmgr chooses the
/// proxy itself and hands libcurl the choice, so an error can name the proxy a request went
/// through and the variable that set it.
public struct ProxyEnvironment: Sendable, Equatable {
    /// The proxy variables among those given, by name; nothing else is kept.
    public let variables: [String: String]

    static let names = [
        "http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY",
    ]

    /// No proxy, whatever the environment says.
    public static let none = ProxyEnvironment([:])

    public init(_ environment: [String: String]) {
        variables = environment.filter { Self.names.contains($0.key) && !$0.value.isEmpty }
    }

    /// The proxy a request to `url` goes through, or nil for a direct connection.
    /// `<scheme>_proxy` first (`HTTPS_PROXY` too, but never `HTTP_PROXY`, which a CGI
    /// request can set), then `all_proxy` and `ALL_PROXY`; none for a host `no_proxy` names.
    public func proxy(for url: String) -> Proxy? {
        guard let (scheme, host) = Self.schemeAndHost(url) else { return nil }
        let noProxy = variables["no_proxy"] ?? variables["NO_PROXY"] ?? ""
        if Self.bypasses(host: host, noProxy: noProxy) { return nil }
        var candidates = [scheme + "_proxy"]
        if scheme != "http" { candidates.append(scheme.uppercased() + "_PROXY") }
        candidates += ["all_proxy", "ALL_PROXY"]
        for name in candidates {
            if let value = variables[name] { return Proxy(url: value, variable: name) }
        }
        return nil
    }

    /// The scheme (lowercased) and host of a URL, the host without brackets or a final dot.
    static func schemeAndHost(_ url: String) -> (String, String)? {
        guard let separator = url.firstRange(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        var authority = Substring(url[separator.upperBound...].prefix { !"/?#".contains($0) })
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
            if host.hasSuffix(".") { host = host.dropLast() }
        }
        return host.isEmpty ? nil : (scheme, host.lowercased())
    }

    /// True when `noProxy` (names, domains, addresses or networks separated by commas or
    /// blanks; `*` alone for every host) says to reach `host` directly.
    static func bypasses(host: String, noProxy: String) -> Bool {
        let entries = noProxy.split { $0 == "," || $0 == " " || $0 == "\t" }.map { $0.lowercased() }
        if entries == ["*"] { return true }
        if let address = IPAddress.bytes(host) {
            return entries.contains { entry in
                let parts = entry.split(separator: "/", maxSplits: 1)
                guard let network = parts.first.flatMap({ IPAddress.bytes(String($0)) }),
                    network.count == address.count
                else { return false }
                let bits = parts.count == 2 ? Int(parts[1]) : network.count * 8
                guard let bits, bits >= 0, bits <= network.count * 8 else { return false }
                return (0..<bits).allSatisfy { bit in
                    let mask = UInt8(0x80) >> UInt8(bit % 8)
                    return address[bit / 8] & mask == network[bit / 8] & mask
                }
            }
        }
        return entries.contains { entry in
            var domain = Substring(entry)
            while domain.hasPrefix(".") { domain = domain.dropFirst() }
            if domain.hasSuffix(".") { domain = domain.dropLast() }
            guard !domain.isEmpty else { return false }
            return host == domain || host.hasSuffix("." + domain)
        }
    }
}

/// A proxy licmgr sends through, and the variable that named it.
public struct Proxy: Sendable, Equatable {
    /// As given: what libcurl gets.
    public var url: String
    public var variable: String

    /// The proxy as errors show it: without a user name or password.
    public var shown: String {
        let start = url.firstRange(of: "://")?.upperBound ?? url.startIndex
        let authorityEnd = url[start...].firstIndex { "/?#".contains($0) } ?? url.endIndex
        guard let at = url[start..<authorityEnd].lastIndex(of: "@") else { return url }
        return String(url[..<start]) + String(url[url.index(after: at)...])
    }
}

extension IPAddress {
    /// The bytes of an IPv4 (4) or IPv6 (16) address literal; nil for anything else.
    static func bytes(_ text: String) -> [UInt8]? {
        if text.utf8.contains(0) { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
