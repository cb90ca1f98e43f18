/// Amounts in hundredths of the catalogue's currency, so that sums never drift as doubles do.
public enum Money {
    /// Reads `500`, `500.5` or `500.00`; nil for anything else.
    public static func cents(_ text: String) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 12 else {
            return nil
        }
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        guard fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else {
            return nil
        }
        while fraction.count < 2 { fraction += "0" }
        return Int(whole)! * 100 + Int(fraction)!
    }

    /// `12.50`.
    public static func format(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = abs(cents)
        let rest = magnitude % 100
        return "\(sign)\(magnitude / 100).\(rest < 10 ? "0" : "")\(rest)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
