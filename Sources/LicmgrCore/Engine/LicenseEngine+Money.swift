extension LicenseEngine {
    /// What buying `price` costs by the catalogue, for a dry run's plan and total.
    func charge(_ price: Price) throws -> RunReport.Charge {
        RunReport.Charge(amount: try cost(of: price), currency: try catalogue().tariffs[price.tariff]?.currency)
    }

    /// What a failed step says: the remote's words, and for a purchase refused for lack of
    /// funds (an error of type `account`) also the balance as last read and what it needs.
    func failureDetail(_ step: Step, _ error: RemoteError) throws -> String {
        guard case .refused(_, let type, _, _) = error, type == Self.fundsRefusal, let price = step.price else {
            return "\(step.summary): \(error.description)"
        }
        let currency = try catalogue().tariffs[price.tariff]?.currency
        let needs =
            step.params["cost"].flatMap { Int($0) }.map { "\(Money.format($0)) \(currency ?? "")" }
            ?? "an amount not known (run 'licmgr import-tariffs')"
        let balance =
            try store.balance().map {
                "\(Money.format($0.balance.amount)) \($0.balance.currency ?? currency ?? "") as last read at \($0.at)"
            } ?? "not read yet (checkevent reads it hourly)"
        return "\(step.summary): \(Self.insufficientFunds): balance \(balance), needs \(needs) (\(error.description))"
    }

    /// Marks the failure of a step refused for lack of funds, which cron mail hygiene tells by.
    public static let insufficientFunds = "refused, insufficient funds"

    /// How often `checkevent` asks for the balance: it changes with what licmgr spends, which
    /// the run record shows meanwhile, and an hour old is fresh enough to warn by.
    static let balanceInterval = 3600

    /// Reads the account balance when it was last asked for an hour ago or more, and stores
    /// it. Only a nicety: a failed read is a warning for `-v` and never fails the run, and the
    /// asking is recorded either way, so that a remote without `subaccount` is asked hourly,
    /// not every five minutes.
    func readBalanceIfDue(report: inout RunReport) throws {
        if let asked = try store.balanceAskedAt(), asked > time.timestamp(secondsAgo: Self.balanceInterval) { return }
        let at = time.timestamp
        let rows: [AccountBalance]
        do {
            rows = try server.balances()
        } catch {
            try store.saveBalance(nil, askedAt: at)
            report.verboseWarnings.append("the account balance could not be read: \(error)")
            return
        }
        // Several subaccounts: the one in the catalogue's currency is the one licenses are paid from.
        let currencies = Set(try catalogue().tariffs.values.map(\.currency))
        guard let balance = rows.first(where: { $0.currency.map(currencies.contains) == true }) ?? rows.first else {
            try store.saveBalance(nil, askedAt: at)
            report.verboseWarnings.append("the account balance could not be read: the remote's answer holds none")
            return
        }
        try store.saveBalance(BalanceReading(balance: balance, at: at), askedAt: at)
        report.note("account balance: \(Money.format(balance.amount))\(balance.currency.map { " \($0)" } ?? "")")
    }
}
