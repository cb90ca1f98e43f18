/// The vendor's rule for reusing a parked license.
public enum FreePool {
    /// A license may be taken from the pool when it is parked (`free.lic` on `0.0.0.0`), active
    /// or suspended, not expired, and its IP and key were last changed more than a month ago.
    /// A change date the remote did not report does not block: the remote enforces the rule too.
    public static func allows(_ license: License, today: Day) -> Bool {
        guard license.isParked, !license.gone, license.status == .active || license.status == .suspended else {
            return false
        }
        guard let expires = license.expires, expires > today else { return false }
        for changed in [license.ipChanged, license.keyChanged] {
            if let changed, changed.adding(months: 1) >= today { return false }
        }
        return true
    }
}
