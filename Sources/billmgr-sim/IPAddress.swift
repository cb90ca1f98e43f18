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

    /// The kernel's spelling of an address literal, so two spellings of one address compare
    /// equal; text that is no address stays as it is.
    static func normal(_ text: String) -> String {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return spelling(AF_INET, &v4) ?? text }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return spelling(AF_INET6, &v6) ?? text }
        return text
    }

    private static func spelling(_ family: Int32, _ address: UnsafeRawPointer) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
