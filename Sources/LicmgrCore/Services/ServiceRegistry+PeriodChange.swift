extension ServiceRegistry {
    /// What a new local period for service `id` does, one sentence per license-bearing addon.
    /// Nothing is sent to the remote for it: each license renews for the newly resolved period
    /// from its next renewal, and a license not yet ordered is bought for it. Empty when
    /// `change` leaves the period alone. Throws, recording nothing, when the period resolves
    /// to none a tariff sells, as a renewal would.
    public func periodEffects(of id: Int, _ change: ServiceChange) throws -> [String] {
        guard let local = change.period else { return [] }
        let (current, updated) = try applying(change, to: id)
        let catalogue = try store.catalogue()
        let resolver = Resolver(config: config, catalogue: catalogue)
        let today = time.today
        let licenses = try store.licenses(serviceID: id).filter(\.isLive)
        var effects: [String] = []
        for (addon, value) in updated.addons.sorted(by: { $0.key < $1.key }) {
            guard let needed = try resolver.tariff(addon: addon, value: value) else { continue }
            // A license renews under its own tariff; a tariff change, if any, follows separately.
            let license = licenses.first { $0.addon == addon }
            let tariff = license?.pricelist ?? needed
            // The renewal's own resolution: a period the catalogue does not sell is refused here,
            // naming the `Period` line that leads to it, before anything is recorded.
            let period = try resolver.period(local: local, tariff: tariff, current: license?.period)
            let words = catalogue.periodName(period, of: tariff)
            let cost = catalogue.tariffs[tariff].flatMap { known in
                known.periods.first { $0.id == period }.map { ", \($0.writtenCost) \(known.currency)" }
            }
            var note = ""
            if period != local, resolver.periodRule(local: local, tariff: tariff) == nil {
                note = " (tariff \(tariff) does not sell period \(local): the shortest period it sells is bought)"
            }
            guard let license else {
                effects.append(
                    "service \(id): addon \(addon) has no license yet; one ordered for it is bought for \(words)"
                        + (cost ?? "") + note)
                continue
            }
            if let why = LicenseEngine.notRenewable(license, service: updated, catalogue: catalogue),
                updated.status == .active
            {
                effects.append(
                    "service \(id): license \(license.id) is not renewed (\(why)); the new period is for a license ordered later"
                )
                continue
            }
            let was = try? resolver.period(local: current.period, tariff: tariff, current: license.period)
            if was == period {
                effects.append("service \(id): license \(license.id) still renews for \(words)" + note)
                continue
            }
            let when: String
            if let expires = license.expires {
                when = "at its next renewal on \(max(today, expires.adding(days: -config.renewBefore)))"
            } else {
                when = "at its next renewal"
            }
            let held = updated.status == .active ? "" : " (renewals wait while service \(id) is \(updated.status))"
            effects.append(
                "service \(id): license \(license.id) will renew for \(words)"
                    + (was.map { " (was \(catalogue.periodName($0, of: tariff)))" } ?? "") + " "
                    + when + (cost ?? "") + note + held + "; nothing is sent to the remote before then")
        }
        return effects
    }
}
