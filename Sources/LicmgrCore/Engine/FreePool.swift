/// The vendor's rule for reusing a parked license.
public enum FreePool {
    /// Where a parked license stands under the rule on a given day.
    public enum Reusability: Sendable, Equatable {
        case now
        /// Its IP or key changed too recently: reusable from this day on.
        case from(Day)
        /// Not reusable as it is, whatever the day: the reason, e.g. "it expired on 2026-11-01".
        case never(String)
    }

    /// A license may be taken from the pool when it is parked (`free.lic` on `0.0.0.0`), active
    /// or suspended, not expired, and its IP and key were last changed more than a month ago.
    /// A change date the remote did not report does not block: the remote enforces the rule too.
    public static func reusability(_ license: License, today: Day) -> Reusability {
        guard license.isParked else {
            return .never("it is not parked as \(License.parkedName) on \(License.parkedIP)")
        }
        guard !license.gone, license.status == .active || license.status == .suspended else {
            return .never("it is \(license.gone ? "gone from the remote" : license.status.name)")
        }
        guard let expires = license.expires else { return .never("its expiry is not known") }
        guard expires > today else { return .never("it expired on \(expires)") }
        // A month of rest after the later change, the day after it ends included.
        let rested = [license.ipChanged, license.keyChanged].compactMap { $0?.adding(months: 1).adding(days: 1) }.max()
        guard let rested, rested > today else { return .now }
        guard expires > rested else { return .never("it expires on \(expires), before its month of rest ends") }
        return .from(rested)
    }

    public static func allows(_ license: License, today: Day) -> Bool {
        reusability(license, today: today) == .now
    }

    /// Where a parked license would stand if its IP or key changed today: its month restarts.
    public static func reusabilityAfterChange(of license: License, today: Day) -> Reusability {
        var changed = license
        changed.keyChanged = today
        return reusability(changed, today: today)
    }
}
