/// The renewal pass's decisions, taken from what the run read once. A pure function of that
/// snapshot, so that its rules are tested without a remote, and a dry run and its run read
/// the same ones.
enum RenewalPlan {
    /// What the renewal pass reads before it decides.
    struct Snapshot {
        /// The licenses the pass looks at, due or asked for.
        var licenses: [License]
        var services: [Int: Service]
        /// licmgr's own end of the term it last paid for, by license.
        var renewedUntil: [Int: Day] = [:]
        /// The renewals journaled done or failed, by license.
        var journal: [Int: [RemoteOperation]] = [:]
        /// Licenses a step in doubt or an open workflow holds: they wait for it to settle.
        var busy: Set<Int> = []
        /// The last expiry day that counts as due.
        var dueDay: Day
    }

    enum Decision: Equatable {
        case renew(License, period: Int)
        /// Not renewed, and why; `warning` when the remote's dates contradict licmgr's record.
        case skip(License, why: String, warning: String? = nil)
        /// The period to renew for cannot be resolved from the config and the catalogue.
        case refuse(License, ConfigError)
    }

    /// One decision per license the pass renews or says why not, in the snapshot's order;
    /// a busy license, or one whose service is unknown, gets none.
    static func decide(_ snapshot: Snapshot, resolver: Resolver) -> [Decision] {
        var decisions: [Decision] = []
        for license in snapshot.licenses where !snapshot.busy.contains(license.id) {
            guard let service = license.serviceID.flatMap({ snapshot.services[$0] }) else { continue }
            if let reason = LicenseEngine.notRenewable(license, service: service, catalogue: resolver.catalogue)
                ?? LicenseEngine.noLongerNeeded(license, by: service, resolver: resolver)
            {
                decisions.append(.skip(license, why: reason))
                continue
            }
            if let until = snapshot.renewedUntil[license.id], until > snapshot.dueDay {
                // licmgr's own record outranks the remote's dates: a remote whose clock lags, or
                // that lost a renewal's effect, must not be paid again for the same term.
                let warning = license.expires.flatMap { expires in
                    expires <= snapshot.dueDay
                        ? "license \(license.id): the remote shows it expiring \(expires), but licmgr renewed it "
                            + "until \(until); not renewed again (check the remote's dates)" : nil
                }
                decisions.append(.skip(license, why: "licmgr renewed it already until \(until)", warning: warning))
                continue
            }
            let term = license.expires?.description ?? ""
            if let earlier = snapshot.journal[license.id]?.first(where: {
                $0.params["expires_before"] == term && ($0.state == .done || !LicenseEngine.isRetryable($0))
            }) {
                decisions.append(
                    .skip(
                        license,
                        why: earlier.state == .done
                            ? "renewed already for this term" : "refused for this term (\(earlier.result ?? ""))"))
                continue
            }
            do {
                decisions.append(
                    .renew(
                        license,
                        period: try resolver.period(
                            local: service.period, tariff: license.pricelist, current: license.period)))
            } catch {
                decisions.append(.refuse(license, error))
            }
        }
        return decisions
    }
}
