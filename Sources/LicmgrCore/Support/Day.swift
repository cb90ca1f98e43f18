/// A calendar date in UTC, the unit the remote uses for creation and expiry dates.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Year, month and day in one word: a license carries four dates, and a run holds
    /// 100,000 licenses at once.
    private let packed: Int32

    public var year: Int { Int(packed >> 9) }
    public var month: Int { Int(packed >> 5 & 0xF) }
    public var day: Int { Int(packed & 0x1F) }

    public init?(year: Int, month: Int, day: Int) {
        guard (-999_999...999_999).contains(year), (1...12).contains(month), day >= 1,
            day <= Day.daysIn(month: month, year: year)
        else { return nil }
        packed = Int32(year) << 9 | Int32(month) << 5 | Int32(day)
    }

    /// Parses `YYYY-MM-DD`; the remote sometimes appends a time, which is ignored.
    public init?(_ text: String) {
        guard let day = text.utf8.withContiguousStorageIfAvailable({ Day(utf8: $0) }) ?? Day(splitting: text)
        else { return nil }
        self = day
    }

    /// Parses the UTF-8 of a date as `init(_:)` does.
    init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // Every date licmgr stores and nearly every one the remote sends is plain; reading it by
        // byte costs a fraction of splitting a string.
        guard Day.isPlain(bytes) else {
            self.init(splitting: String(decoding: bytes, as: UTF8.self))
            return
        }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] &- 0x30) } }
        self.init(year: number(0..<4), month: number(5..<7), day: number(8..<10))
    }

    /// `YYYY-MM-DD` in ASCII digits, alone or before a space that ends the date where
    /// splitting on spaces would: not one that a combining mark after it joins to.
    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 10 || (bytes.count > 10 && bytes[10] == 0x20 && (bytes.count == 11 || bytes[11] < 0x80))
        else { return false }
        for index in 0..<10 {
            let byte = bytes[index]
            guard index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte) else { return false }
        }
        return true
    }

    private init?(splitting text: String) {
        let datePart = text.split(separator: " ").first.map(String.init) ?? text
        let fields = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
            let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The UTC day of a POSIX time.
    public init(secondsSince1970 seconds: Int) {
        // Howard Hinnant's civil-from-days algorithm: exact for the proleptic Gregorian calendar.
        let z = Int((Double(seconds) / 86_400).rounded(.down)) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        packed = Int32(clamping: y) << 9 | Int32(m) << 5 | Int32(d)
    }

    public var description: String {
        guard (0...9999).contains(year) else { return padded }
        return String(unsafeUninitializedCapacity: 10) { buffer in
            func put(_ value: Int, _ range: Range<Int>) {
                var rest = value
                for index in range.reversed() {
                    buffer[index] = UInt8(0x30 + rest % 10)
                    rest /= 10
                }
            }
            put(year, 0..<4)
            buffer[4] = 0x2D
            put(month, 5..<7)
            buffer[7] = 0x2D
            put(day, 8..<10)
            return 10
        }
    }

    /// Years outside 0...9999 keep the spelling they always had.
    private var padded: String {
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Days since 1970-01-01.
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public func adding(days: Int) -> Day {
        Day(secondsSince1970: (ordinal + days) * 86_400)
    }

    /// Adds calendar months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29).
    public func adding(months: Int) -> Day {
        let total = year * 12 + (month - 1) + months
        let y = total / 12
        let m = total % 12 + 1
        return Day(year: y, month: m, day: min(day, Day.daysIn(month: m, year: y)))!
    }

    public func days(until other: Day) -> Int { other.ordinal - ordinal }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.ordinal < rhs.ordinal }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
