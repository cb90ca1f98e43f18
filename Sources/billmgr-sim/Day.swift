import Foundation

/// A calendar day. BILLmanager's dates carry neither time nor zone, so plain civil
/// arithmetic (days since 1970-01-01, proleptic Gregorian) is all the simulator needs.
struct Day: Comparable, Sendable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    /// What BILLmanager shows as the expiry of a lifetime license.
    static let lifetime = Day(year: 2099, month: 12, day: 31)

    static func todayUTC() -> Day {
        Day(daysSinceEpoch: Int(Date().timeIntervalSince1970 / 86_400))
    }

    private init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Strict `YYYY-MM-DD`; impossible dates such as 2025-02-30 are refused.
    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isWholeNumber) }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= Self.length(ofMonth: month, in: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    // Howard Hinnant's civil_from_days / days_from_civil.
    private init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: doy - (153 * mp + 2) / 5 + 1)
    }

    private var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        return era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
    }

    private static func length(ofMonth month: Int, in year: Int) -> Int {
        let next = month == 12 ? Day(year: year + 1, month: 1, day: 1) : Day(year: year, month: month + 1, day: 1)
        return next.daysSinceEpoch - Day(year: year, month: month, day: 1).daysSinceEpoch
    }

    func addingDays(_ count: Int) -> Day {
        Day(daysSinceEpoch: daysSinceEpoch + count)
    }

    /// Billing months end on the same day number, clamped to the month's end (Jan 31 + 1 → Feb 28/29).
    func addingMonths(_ count: Int) -> Day {
        let index = year * 12 + month - 1 + count
        let (y, m) = (index / 12, index % 12 + 1)
        return Day(year: y, month: m, day: min(day, Self.length(ofMonth: m, in: y)))
    }

    // Not String(format:): it goes through Foundation's formatter, and a 100,000-row listing prints 200,000 dates.
    var description: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }

    static func < (lhs: Day, rhs: Day) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
