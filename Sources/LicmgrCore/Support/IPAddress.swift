import FoundationEssentials
import Glibc

/// IP addresses compare by value, so every edge stores the one text the system's parser gives
/// back for an address: `2001:DB8:0:0:0:0:0:A` and `2001:db8::a` are both `2001:db8::a`.
public enum IPAddress {
    /// The canonical text of an IPv4 or IPv6 address literal; nil when `text` is neither.
    public static func canonical(_ text: String) -> String? {
        // Nearly every IP stored or listed is a dotted quad already in that form, which the
        // system's parser would only print back: checking its bytes costs a fraction of the round trip.
        if isCanonicalIPv4(text) { return text }
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

    /// Four decimal numbers up to 255 joined by dots, none with a leading zero: what
    /// `inet_ntop` prints for an IPv4 address.
    static func isCanonicalIPv4(_ text: String) -> Bool {
        var dots = 0
        var digits = 0
        var value = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return false }
                dots += 1
                digits = 0
                value = 0
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                guard digits == 0 || value > 0 else { return false }
                digits += 1
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                guard value <= 255 else { return false }
            } else {
                return false
            }
        }
        return dots == 3 && digits > 0
    }
}
