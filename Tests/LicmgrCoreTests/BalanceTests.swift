import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The balance is read defensively: the remote's format is a guess.
final class BalanceTests: XCTestCase {
    func testAmountsAsARemoteMayWriteThem() {
        let cases: [(String, Int, String?)] = [
            ("123.45", 1_234_500, nil), ("12", 120_000, nil), ("12.5", 125_000, nil), ("-3.00", -30_000, nil),
            ("12.00 EUR", 120_000, "EUR"), ("1 234,50 €", 12_345_000, "€"), ("1,234.50", 12_345_000, nil),
            ("1,234", 12_340_000, nil), ("3,5", 35_000, nil), ("€12", 120_000, "€"), ("-€4.10", -41_000, "€"),
            ("0.005", 50, nil), ("1\u{00A0}000.00 RUB", 10_000_000, "RUB"), ("490.0000", 4_900_000, nil),
            ("12.3450 EUR", 123_450, "EUR"), ("1 234,5678", 12_345_678, nil),
        ]
        for (text, value, currency) in cases {
            let amount = Money.amount(text, rounding: .down)
            XCTAssertEqual(amount?.value, value, text)
            XCTAssertEqual(amount?.currency, currency, text)
        }
        XCTAssertNil(Money.amount("EUR", rounding: .down))
        XCTAssertNil(Money.amount("", rounding: .down))
    }

    /// Found by the cells fuzzer: a debt written with Unicode's minus sign (or a dash typed for
    /// it) read as credit, which would let licmgr spend what the account does not hold.
    func testADebtWrittenWithAUnicodeMinusIsADebt() {
        XCTAssertEqual(Money.amount("\u{2212}12.00 RUB", rounding: .down)?.value, -120_000)
        XCTAssertEqual(Money.amount("\u{2212}12.00 RUB", rounding: .down)?.currency, "RUB")
        XCTAssertEqual(Money.amount("– 3,50", rounding: .down)?.value, -35_000)
        XCTAssertEqual(Money.amount("€\u{2212}4.10", rounding: .down)?.value, -41_000)
        XCTAssertEqual(Money.amount("\u{2212}€4.10", rounding: .down)?.currency, "€")
        XCTAssertEqual(Money.amount("(\u{2014}) 2", rounding: .down)?.value, -20_000, "a dash inside what precedes")
    }

    /// Found by the money fuzzer: a debt of 14 nines and more than four decimals rounds to a
    /// hundred trillion, which was past what an amount reads, so it did not read back as written.
    func testAnAmountRoundedToAHundredTrillionReadsBack() {
        let hundredTrillion = 100_000_000_000_000 * Money.unit
        XCTAssertEqual(Money.amount("-99999999999999.99999", rounding: .down)?.value, -hundredTrillion)
        XCTAssertEqual(Money.amount(Money.format(-hundredTrillion), rounding: .down)?.value, -hundredTrillion)
        XCTAssertNil(Money.amount("100000000000000.0001", rounding: .down), "past it nothing reads")
        XCTAssertNil(Money.amount("100000000000001", rounding: .up))
    }

    /// Past the fourth decimal, which no known remote writes, a balance is taken as less money
    /// and a price as more, whatever the sign.
    func testDigitsPastTheFourthDecimalRoundTowardsLessOrMoreMoney() {
        XCTAssertEqual(Money.amount("1.00005", rounding: .down)?.value, 10_000)
        XCTAssertEqual(Money.amount("1.00005", rounding: .up)?.value, 10_001)
        XCTAssertEqual(Money.amount("-1.00005", rounding: .down)?.value, -10_001)
        XCTAssertEqual(Money.amount("-1.00005", rounding: .up)?.value, -10_000)
        XCTAssertEqual(Money.amount("1.000050000", rounding: .up)?.value, 10_001)
        XCTAssertEqual(Money.amount("1.00000000", rounding: .up)?.value, 10_000, "zeros are exact")
    }

    private func client(answering body: String) -> (BillmgrClient, ScriptedTransport) {
        let transport = ScriptedTransport()
        transport.enqueue(.body(body))
        let client = BillmgrClient(
            credentials: Credentials(url: "https://billing.example/billmgr", user: "bob", password: "pw"),
            transport: transport)
        return (client, transport)
    }

    func testOneRowWithASuffixedBalance() throws {
        let (client, transport) = client(
            answering: BillmgrJSON.doc(["elem": ["balance": BillmgrJSON.text("42.10 EUR")]]))
        XCTAssertEqual(try client.balances(), [AccountBalance(amount: 421_000, currency: "EUR")])
        XCTAssertEqual(transport.requests(for: "subaccount").count, 1)
    }

    func testSeveralRowsAndACurrencyIdLeaveTheSuffix() throws {
        let (client, _) = client(
            answering: BillmgrJSON.doc([
                "elem": [
                    ["balance": BillmgrJSON.text("5.00"), "currency": BillmgrJSON.text("USD")],
                    ["balance": BillmgrJSON.text("7.00 EUR"), "currency": BillmgrJSON.text("153")],
                    ["name": BillmgrJSON.text("no balance here")],
                ]
            ]))
        XCTAssertEqual(
            try client.balances(),
            [AccountBalance(amount: 50_000, currency: "USD"), AccountBalance(amount: 70_000, currency: "EUR")])
    }

    func testNoRowsIsNoBalance() throws {
        let (client, _) = client(answering: BillmgrJSON.doc([:]))
        XCTAssertEqual(try client.balances(), [])
    }

    func testABalanceOnTheDocItself() throws {
        let (client, _) = client(answering: BillmgrJSON.doc(["balance": "-1.50", "currency": "EUR"]))
        XCTAssertEqual(try client.balances(), [AccountBalance(amount: -15_000, currency: "EUR")])
    }
}
