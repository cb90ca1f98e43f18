import LicmgrCore

enum DayHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let text = text(bytes) else { return }
        let day = Day(text)
        // The byte-wise fast path must agree with the plain reading it replaced.
        require(day == splitting(text), "\(text.debugDescription) read as \(day as Any), not \(splitting(text) as Any)")
        guard let day else { return }
        require(Day(day.description) == day, "\(day) does not read back")
        require(Day(secondsSince1970: day.ordinal * 86_400) == day, "\(day) and its ordinal \(day.ordinal) disagree")
    }

    /// The reading `Day(_:)` must agree with, as it was before reading bytes.
    private static func splitting(_ text: String) -> Day? {
        let datePart = text.split(separator: " ").first.map(String.init) ?? text
        let fields = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
            let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2])
        else { return nil }
        return Day(year: y, month: m, day: d)
    }
}
