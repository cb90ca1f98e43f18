import XCTest

@testable import LicmgrCore

/// Money in ten-thousandths: the remote's four decimals read exactly, sums never drift.
final class MoneyTests: XCTestCase {
    func testAnyNumberOfDecimalsReadsExactly() {
        let cases: [(String, Int)] = [
            ("500", 5_000_000), ("500.5", 5_005_000), ("500.00", 5_000_000), ("490.0000", 4_900_000),
            ("12.3450", 123_450), ("0.1048", 1048), ("12.34500000", 123_450), ("0", 0),
        ]
        for (text, amount) in cases {
            XCTAssertEqual(Money.parse(text), amount, text)
            XCTAssertEqual(Money.price(text), amount, text)
        }
    }

    func testWhatIsNoAmountIsNil() {
        for text in ["", ".5", "5.", "-5", "5,00", "1e3", "12.34.56", " 5", "five", "1234567890123"] {
            XCTAssertNil(Money.parse(text), text)
            XCTAssertNil(Money.price(text), text)
        }
    }

    /// No known remote writes a fifth decimal: a price then rounds up, so that spending is
    /// never under-counted, and a strict reading (the config's) refuses it.
    func testAPriceWithAFifthDecimalRoundsUpAndAStrictReadingRefusesIt() {
        XCTAssertEqual(Money.price("12.34501"), 123_451)
        XCTAssertEqual(Money.parse("12.34501", rounding: .down), 123_450)
        XCTAssertNil(Money.parse("12.34501"))
    }

    func testSumsOfFourDecimalPricesStayExact() {
        let prices = ["12.3450", "0.1048", "490.0000", "0.0001"].compactMap(Money.price)
        XCTAssertEqual(Money.format(prices.reduce(0, +)), "502.4499")
        XCTAssertEqual(Money.format(Array(repeating: Money.price("12.3450")!, count: 3).reduce(0, +)), "37.035")
    }

    func testFormatWritesTwoToFourDecimals() {
        let cases: [(Int, String)] = [
            (4_900_000, "490.00"), (123_450, "12.345"), (1048, "0.1048"), (125_000, "12.50"), (0, "0.00"),
            (-500, "-0.05"), (-123_456, "-12.3456"), (1, "0.0001"),
        ]
        for (amount, text) in cases {
            XCTAssertEqual(Money.format(amount), text)
        }
    }
}
