import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// The balance is read defensively: the remote's format is a guess.
final class BalanceTests: XCTestCase {
    func testAmountsAsARemoteMayWriteThem() {
        let cases: [(String, Int, String?)] = [
            ("123.45", 12345, nil), ("12", 1200, nil), ("12.5", 1250, nil), ("-3.00", -300, nil),
            ("12.00 EUR", 1200, "EUR"), ("1 234,50 €", 123450, "€"), ("1,234.50", 123450, nil),
            ("1,234", 123400, nil), ("3,5", 350, nil), ("€12", 1200, "€"), ("-€4.10", -410, "€"),
            ("0.005", 1, nil), ("1\u{00A0}000.00 RUB", 100000, "RUB"),
        ]
        for (text, cents, currency) in cases {
            let amount = Money.amount(text)
            XCTAssertEqual(amount?.cents, cents, text)
            XCTAssertEqual(amount?.currency, currency, text)
        }
        XCTAssertNil(Money.amount("EUR"))
        XCTAssertNil(Money.amount(""))
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
        XCTAssertEqual(try client.balances(), [AccountBalance(cents: 4210, currency: "EUR")])
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
            [AccountBalance(cents: 500, currency: "USD"), AccountBalance(cents: 700, currency: "EUR")])
    }

    func testNoRowsIsNoBalance() throws {
        let (client, _) = client(answering: BillmgrJSON.doc([:]))
        XCTAssertEqual(try client.balances(), [])
    }

    func testABalanceOnTheDocItself() throws {
        let (client, _) = client(answering: BillmgrJSON.doc(["balance": "-1.50", "currency": "EUR"]))
        XCTAssertEqual(try client.balances(), [AccountBalance(cents: -150, currency: "EUR")])
    }
}
