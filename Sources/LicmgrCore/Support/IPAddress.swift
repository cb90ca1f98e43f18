import FoundationEssentials
import Glibc

/// IP addresses compare by value, so every edge stores the one text the system's parser gives
/// back for an address: `2001:DB8:0:0:0:0:0:A` and `2001:db8::a` are both `2001:db8::a`.
public enum IPAddress {
    /// The canonical text of an IPv4 or IPv6 address literal; nil when `text` is neither.
    public static func canonical(_ text: String) -> String? {
        // inet_pton reads a C string: text after a NUL would pass unseen.
        if text.utf8.contains(0) { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var v4 = in_addr()
        var v6 = in6_addr()
        let written: UnsafePointer<CChar>?
        if inet_pton(AF_INET, text, &v4) == 1 {
            written = inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count))
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            written = inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
        } else {
            return nil
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
