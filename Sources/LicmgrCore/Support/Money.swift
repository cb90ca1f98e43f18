import FoundationEssentials

/// Amounts in ten-thousandths of a currency unit, so that sums never drift as doubles do. The
/// remote writes money with four decimals (`"490.0000"`, `"12.3450"`): ten-thousandths hold
/// every such amount exactly.
public enum Money {
    /// Ten-thousandths in one unit of currency.
    public static let unit = 10_000
    static let decimals = 4

    /// Which way an amount with non-zero digits past the fourth decimal is taken.
    public enum Rounding: Sendable {
        /// Towards more: for what is paid, so that spending is never under-counted.
        case up
        /// Towards less: for what the account holds, so that it is never over-stated.
        case down
    }

    /// Reads `500`, `500.5`, `500.00` or `490.0000`: any number of decimals, exactly when
    /// the digits past the fourth are zero. Non-zero digits there are rounded as `rounding`
    /// says, or make the text unreadable (nil) without one; so does anything else.
    public static func parse(_ text: String, rounding: Rounding? = nil) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 12 else {
            return nil
        }
        let fraction = parts.count > 1 ? parts[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        return scaled(whole: Int(whole)!, fraction: fraction, rounding: rounding)
    }

    /// A price as the catalogue writes it: non-zero digits past the fourth decimal, which no
    /// known remote writes, round up, so that `SpendLimit` never counts less than is paid.
    public static func price(_ text: String) -> Int? {
        parse(text, rounding: .up)
    }

    /// `units` and `fraction` (decimal digits) in ten-thousandths of a positive amount.
    private static func scaled(whole units: Int, fraction: Substring, rounding: Rounding?) -> Int? {
        let kept = fraction.prefix(decimals)
        var amount = units * unit + Int(kept + String(repeating: "0", count: decimals - kept.count))!
        if fraction.dropFirst(decimals).contains(where: { $0 != "0" }) {
            switch rounding {
            case nil: return nil
            case .up: amount += 1
            case .down: break
            }
        }
        return amount
    }

    /// `12.50`, `12.345`, `0.1048`: two decimals at least, four at most, so amounts of whole
    /// cents read as they always have and none is ever rounded.
    public static func format(_ amount: Int) -> String {
        let sign = amount < 0 ? "-" : ""
        let magnitude = amount.magnitude
        var fraction = String(magnitude % UInt(unit))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.count > 2, fraction.last == "0" { fraction.removeLast() }
        return "\(sign)\(magnitude / UInt(unit)).\(fraction)"
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Money {
    /// Reads an amount the way a remote may write it: `123.45`, `-5`, `1 234,50`, `12.00 EUR`,
    /// `€12`, `490.0000`. Returns ten-thousandths, and the currency written around the number if
    /// any; nil when the text holds no number. Digits past the fourth decimal are rounded as
    /// `rounding` says, towards more or less money whatever the sign.
    public static func amount(_ text: String, rounding: Rounding) -> (value: Int, currency: String?)? {
        let characters = Array(text.trimmingWhitespace())
        guard let first = characters.firstIndex(where: \.isASCIIDigit) else { return nil }
        var end = first
        while end < characters.count, characters[end].isASCIIDigit || groupMarks.contains(characters[end]) {
            end += 1
        }
        var prefix = String(characters[..<first]).trimmingBlanks()
        // A minus anywhere before the digits (`RUB −12`, `(−) 12`): a debt taken as credit would be spent.
        let negative = prefix.contains(where: minusSigns.contains)
        prefix = prefix.trimming { $0 == "+" || $0 == " " || minusSigns.contains(Character($0)) }
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
        // Up to a hundred trillion, which rounding 14 nines up reaches: what is read reads again as written.
        let limit = 100_000_000_000_000
        guard !whole.isEmpty || !fraction.isEmpty, whole.count <= 15, let units = Int(whole.isEmpty ? "0" : whole),
            units < limit || (units == limit && fraction.allSatisfy { $0 == "0" })
        else { return nil }
        // Of a debt, less money is more owed: the rounding turns with the sign.
        let magnitudeRounding: Rounding = negative == (rounding == .up) ? .down : .up
        let magnitude = scaled(whole: units, fraction: Substring(fraction), rounding: magnitudeRounding)!
        let suffix = String(characters[end...]).trimmingBlanks()
        let currency = !suffix.isEmpty ? suffix : (!prefix.isEmpty ? prefix : nil)
        return (negative ? -magnitude : magnitude, currency)
    }

    /// The ways a text writes a minus: ASCII's, Unicode's minus sign, and the dashes a person
    /// types for it. A debt written with one and read as credit would be money to spend.
    static let minusSigns: Set<Character> = [
        "-", "\u{2212}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{FE63}", "\u{FF0D}",
    ]

    /// What may stand inside a written number: decimal and thousands marks, blanks between groups.
    private static let groupMarks: Set<Character> = [".", ",", " ", "\u{00A0}", "\u{202F}", "'"]
}
