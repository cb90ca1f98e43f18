import Foundation
import XCTest

@testable import LicmgrCore

final class DayTests: XCTestCase {
    private func day(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Day {
        guard let day = Day(text) else {
            XCTFail("'\(text)' did not parse", file: file, line: line)
            return Day(year: 1970, month: 1, day: 1)!
        }
        return day
    }

    func testParseAndFormat() {
        let d = day("2025-03-07")
        XCTAssertEqual([d.year, d.month, d.day], [2025, 3, 7])
        XCTAssertEqual(d.description, "2025-03-07")
        XCTAssertEqual(Day(year: 987, month: 1, day: 2)?.description, "0987-01-02")
    }

    func testParseIgnoresTime() {
        XCTAssertEqual(Day("2025-03-07 10:11:12"), Day(year: 2025, month: 3, day: 7))
    }

    func testInvalidDatesRejected() {
        for text in [
            "2025-02-29", "2024-02-30", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-00", "25-01-01",
            "2025/01/01", "2025-01", "", "abcd-ef-gh", "2025-01-01-01", "1900-02-29",
        ] {
            XCTAssertNil(Day(text), text)
        }
        XCTAssertNil(Day(year: 2025, month: 2, day: 29))
        XCTAssertNotNil(Day(year: 2024, month: 2, day: 29))
        XCTAssertNotNil(Day(year: 2000, month: 2, day: 29))
    }

    /// How dates were parsed before the byte-wise path: the reference it must agree with.
    private func splitting(_ text: String) -> Day? {
        let datePart = text.split(separator: " ").first.map(String.init) ?? text
        let fields = datePart.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0].count == 4, fields[1].count == 2, fields[2].count == 2,
            let y = Int(fields[0]), let m = Int(fields[1]), let d = Int(fields[2])
        else { return nil }
        return Day(year: y, month: m, day: d)
    }

    func testParsingAgreesWithSplittingOnOddInput() {
        var texts = [
            " 2025-03-07", "2025-03-07 ", "2025-03-07  10:11", "2025-03-07\t1", "2025-03-07 \u{301}x",
            "2025-03-07\u{301}", "+025-03-07", "2025-+3-07", "2025-03-+7", "０２０２-03-07", "2025-03-07T10:11:12",
            "2025-03-07 x 2026-01-01", "20250-03-07", "2025-3-07", "2025-03-7", "12345", "2024-02-29 00:00:00",
        ]
        // Dates near the plain shape: a real one with characters swapped in and the tail cut.
        let alphabet = Array("0123456789- +x").map(String.init) + ["\u{301}", "é"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var characters = Array("2024-02-29 10:11").map(String.init)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                characters[Int.random(in: 0..<characters.count, using: &random)] = alphabet.randomElement(
                    using: &random)!
            }
            texts.append(characters.prefix(Int.random(in: 8...16, using: &random)).joined())
        }
        for text in texts {
            XCTAssertEqual(Day(text), splitting(text), text.debugDescription)
        }
    }

    func testFormattingKeepsItsSpellingOutsideFourDigitYears() {
        XCTAssertEqual(Day(year: 0, month: 1, day: 1)?.description, "0000-01-01")
        XCTAssertEqual(Day(year: 9999, month: 12, day: 31)?.description, "9999-12-31")
        XCTAssertEqual(Day(year: 12345, month: 6, day: 7)?.description, "12345-06-07")
        XCTAssertEqual(Day(year: -5, month: 6, day: 7)?.description, "00-5-06-07")
    }

    func testAddingMonthsClampsToMonthEnd() {
        XCTAssertEqual(day("2025-01-31").adding(months: 1), day("2025-02-28"))
        XCTAssertEqual(day("2024-01-31").adding(months: 1), day("2024-02-29"))
        XCTAssertEqual(day("2025-03-31").adding(months: 1), day("2025-04-30"))
        XCTAssertEqual(day("2025-01-15").adding(months: 1), day("2025-02-15"))
    }

    func testAddingMonthsAcrossYears() {
        XCTAssertEqual(day("2025-11-30").adding(months: 3), day("2026-02-28"))
        XCTAssertEqual(day("2024-02-29").adding(months: 12), day("2025-02-28"))
        XCTAssertEqual(day("2025-12-15").adding(months: 1), day("2026-01-15"))
    }

    func testAddingNegativeMonths() {
        XCTAssertEqual(day("2025-03-31").adding(months: -1), day("2025-02-28"))
        XCTAssertEqual(day("2025-01-15").adding(months: -1), day("2024-12-15"))
    }

    func testAddingDaysAcrossYears() {
        XCTAssertEqual(day("2024-12-31").adding(days: 1), day("2025-01-01"))
        XCTAssertEqual(day("2024-02-28").adding(days: 1), day("2024-02-29"))
        XCTAssertEqual(day("2025-02-28").adding(days: 1), day("2025-03-01"))
        XCTAssertEqual(day("2025-01-01").adding(days: -1), day("2024-12-31"))
        XCTAssertEqual(day("2024-01-01").adding(days: 366), day("2025-01-01"))
    }

    func testDaysUntil() {
        XCTAssertEqual(day("2024-01-01").days(until: day("2025-01-01")), 366)
        XCTAssertEqual(day("2025-01-01").days(until: day("2024-12-31")), -1)
    }

    func testOrdinalEpoch() {
        XCTAssertEqual(day("1970-01-01").ordinal, 0)
        XCTAssertEqual(day("2000-03-01").ordinal, 11_017)
        XCTAssertEqual(Day(secondsSince1970: -1), day("1969-12-31"))
        XCTAssertEqual(Day(secondsSince1970: 86_399), day("1970-01-01"))
    }

    func testOrdinalRoundTripOverARange() {
        var current = day("1899-12-25")
        var ordinal = current.ordinal
        for _ in 0..<(365 * 250) {
            let next = Day(secondsSince1970: (ordinal + 1) * 86_400)
            XCTAssertEqual(next.ordinal, ordinal + 1)
            XCTAssertGreaterThan(next, current)
            XCTAssertEqual(Day(next.description), next)
            current = next
            ordinal += 1
        }
        XCTAssertEqual(current.year, 2149)
    }

    func testOrdinalAgreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for text in ["1970-01-01", "1999-12-31", "2000-02-29", "2024-02-29", "2038-01-19", "2100-03-01"] {
            let d = day(text)
            let date = calendar.date(from: DateComponents(year: d.year, month: d.month, day: d.day))!
            XCTAssertEqual(d.ordinal, Int(date.timeIntervalSince1970) / 86_400, text)
        }
    }

    func testComparison() {
        XCTAssertLessThan(day("2024-12-31"), day("2025-01-01"))
        XCTAssertLessThan(day("2025-01-31"), day("2025-02-01"))
    }

    func testFixedTimeTodayAndTimestamp() {
        let time = FixedTime(day: day("2025-06-15"))
        XCTAssertEqual(time.today, day("2025-06-15"))
        XCTAssertEqual(time.timestamp, "2025-06-15 12:00:00")
    }
}
