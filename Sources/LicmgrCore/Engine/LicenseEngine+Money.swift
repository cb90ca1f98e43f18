extension LicenseEngine {
    /// What buying `price` costs by the catalogue, for a dry run's plan and total.
    func charge(_ price: Price) throws -> RunReport.Charge {
        RunReport.Charge(amount: try cost(of: price), currency: try catalogue().tariffs[price.tariff]?.currency)
    }

    /// What a failed step says: the remote's words, and for a purchase refused for lack of
    /// funds also the balance and what it needs: as the refusal's `have` and `amount` say when
    /// it carries them (`not_enough_money`), else as last read and by the catalogue.
    func failureDetail(_ step: Step, _ error: RemoteError) throws -> String {
        guard error.isLackOfFunds, case .refused(_, _, _, _, let params) = error, let price = step.price else {
            return "\(step.summary): \(error.description)"
        }
        // A currency given as an id, as `subaccount` may give it, names nothing to a reader.
        let named = params["currency"].flatMap { $0.allSatisfy(\.isNumber) ? nil : $0 }
        let currency = try named ?? catalogue().tariffs[price.tariff]?.currency
        func money(_ amount: Int, _ currency: String?) -> String {
            [Money.format(amount), currency].compactMap { $0 }.joined(separator: " ")
        }
        let needed =
            params["amount"].flatMap { Money.amount($0, rounding: .up)?.value }
            ?? step.params["cost"].flatMap { Int($0) }
        let needs = needed.map { money($0, currency) } ?? "an amount not known (run 'licmgr import-tariffs')"
        let balance: String
        if let have = params["have"].flatMap({ Money.amount($0, rounding: .down) }) {
            balance = "\(money(have.value, have.currency ?? currency)) as the refusal says"
        } else if let reading = try store.balance() {
            balance =
                "\(money(reading.balance.amount, reading.balance.currency ?? currency)) as last read at \(reading.at)"
        } else {
            balance = "not read yet (checkevent reads it hourly)"
        }
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

    /// Plans a step that spends money, weighed against `SpendLimit` as the run will weigh it,
    /// the steps planned before it counted as spent: one the run would hold is planned held.
    /// False when it is planned held.
    @discardableResult
    func planSpending(_ item: PlanItem, report: inout RunReport) throws -> Bool {
        var item = item
        if config.spendLimit != nil, let why = try overSpendLimit(item.charge?.amount, planned: report.plannedCost ?? 0)
        {
            item.heldBy = why
            item.charge = nil
        }
        report.plan(item)
        return item.heldBy == nil
    }
}
