import Foundation

/// Address literals as the kernel parses them, so "1.2.3" or "::g" are refused like a real server would.
enum IPAddress {
    static func isV4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isV6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    /// Whether two literals name one address, however each is spelled.
    static func same(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = bytes(a), let y = bytes(b) else { return false }
        return x == y
    }

    private static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }
}
