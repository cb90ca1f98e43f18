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
}
