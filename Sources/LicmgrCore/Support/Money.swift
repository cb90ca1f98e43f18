import FoundationEssentials

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

extension Money {
    /// Reads an amount the way a remote may write it: `123.45`, `-5`, `1 234,50`, `12.00 EUR`,
    /// `€12`. Returns hundredths, rounded half up, and the currency written around the number
    /// if any; nil when the text holds no number.
    public static func amount(_ text: String) -> (cents: Int, currency: String?)? {
        let characters = Array(text.trimmingWhitespace())
        guard let first = characters.firstIndex(where: \.isASCIIDigit) else { return nil }
        var end = first
        while end < characters.count, characters[end].isASCIIDigit || groupMarks.contains(characters[end]) {
            end += 1
        }
        var prefix = String(characters[..<first]).trimmingBlanks()
        let negative = prefix.hasSuffix("-") || prefix.hasPrefix("-")
        prefix = prefix.trimming { "-+ ".unicodeScalars.contains($0) }
        var number = String(characters[first..<end]).filter { $0.isASCIIDigit || $0 == "." || $0 == "," }
        while let last = number.last, !last.isASCIIDigit { number.removeLast() }
        let decimal: Character?
        switch (number.lastIndex(of: "."), number.lastIndex(of: ",")) {
        case (let dot?, let comma?): decimal = dot > comma ? "." : ","
        case (.some, nil): decimal = number.filter { $0 == "." }.count == 1 ? "." : nil
        case (nil, let comma?):
            let after = number.distance(from: comma, to: number.endIndex) - 1
            decimal = number.filter { $0 == "," }.count == 1 && after != 3 ? "," : nil
        case (nil, nil): decimal = nil
        }
        var whole = number
        var fraction = ""
        if let decimal, let split = number.lastIndex(of: decimal) {
            whole = String(number[..<split])
            fraction = String(number[number.index(after: split)...])
        }
        whole = whole.filter(\.isASCIIDigit)
        guard !whole.isEmpty || !fraction.isEmpty, whole.count <= 15, let units = Int(whole.isEmpty ? "0" : whole)
        else { return nil }
        let padded = Array(fraction + "000")
        var cents = units * 100 + Int(String(padded[0..<2]))!
        if padded[2] >= "5" { cents += 1 }
        let suffix = String(characters[end...]).trimmingBlanks()
        let currency = !suffix.isEmpty ? suffix : (!prefix.isEmpty ? prefix : nil)
        return (negative ? -cents : cents, currency)
    }

    /// What may stand inside a written number: decimal and thousands marks, blanks between groups.
    private static let groupMarks: Set<Character> = [".", ",", " ", "\u{00A0}", "\u{202F}", "'"]
}
