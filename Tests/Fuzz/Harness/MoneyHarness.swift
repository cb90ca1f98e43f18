import LicmgrCore

enum MoneyHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let text = text(bytes) else { return }
        let down = Money.amount(text, rounding: .down)
        let up = Money.amount(text, rounding: .up)
        require((down == nil) == (up == nil), "\(text.debugDescription) read one way only")
        if let down, let up {
            // Past the fourth decimal the two differ by the one ten-thousandth rounding gives.
            require((0...1).contains(up.value - down.value), "\(text.debugDescription): \(down.value) to \(up.value)")
            require(up.currency == down.currency, "\(text.debugDescription): two currencies")
            let written = Money.format(down.value)
            let again = Money.amount(written, rounding: .down)?.value
            require(again == down.value, "\(down.value) written as \(written) reads back as \(again as Any)")
        }
        if let exact = Money.parse(text) {
            require(exact >= 0, "\(text.debugDescription) read as \(exact)")
            // SpendLimit is shown as formatted: it must read back as the same amount.
            let written = Money.format(exact)
            require(Money.parse(written) == exact, "\(exact) written as \(written) reads back differently")
            // A price in the config and the same text from the remote mean the same amount.
            require(down?.value == exact && up?.value == exact, "\(text.debugDescription): \(exact) in the config")
            require(Money.price(text) == exact, "\(text.debugDescription): \(exact) exact, not as a price")
        }
        if let price = Money.price(text), let floor = Money.parse(text, rounding: .down) {
            require((0...1).contains(price - floor), "\(text.debugDescription): a price of \(price) over \(floor)")
        }
    }
}
