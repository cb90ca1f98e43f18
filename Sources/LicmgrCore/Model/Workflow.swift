/// A change that takes several remote steps and must not be left half done: taking a license
/// from the free pool (rename and move, new key, wake), parking one (suspend, rename), or
/// replacing a license by a free one of the new tariff. Recorded before its first step; every
/// run first carries open ones forward from what the remote shows and the steps recorded done,
/// so no interruption leaves a reused license with its last owner's key, or a service with two
/// licenses and a tariff change on top.
public struct Workflow: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A free license taken for a service.
        case reuse
        /// A license put back in the free pool.
        case park
        /// A free license of the new tariff taken for a service, then the old license let go.
        case upgrade
    }

    public enum State: String, Sendable {
        case open, done
        /// Given up: a reused license went back to the pool, or an upgrade kept the old license.
        case rolledBack = "rolled_back"
    }

    /// A step whose effect the remote's list cannot show, so it is remembered once done.
    public enum Mark: String, Sendable {
        case newKey = "newkey"
        /// An upgrade's new license is in service; what is left is letting the old one go.
        case taken
    }

    public var key: String
    public var kind: Kind
    public var serviceID: Int?
    public var addon: String?
    /// The license taken (reuse, upgrade) or parked.
    public var licenseID: Int
    /// The license an upgrade lets go.
    public var replacedID: Int?
    public var state: State
    public var marks: Set<Mark>
    public var createdAt: String

    public init(
        key: String, kind: Kind, serviceID: Int?, addon: String?, licenseID: Int, replacedID: Int? = nil,
        state: State = .open, marks: Set<Mark> = [], createdAt: String
    ) {
        self.key = key
        self.kind = kind
        self.serviceID = serviceID
        self.addon = addon
        self.licenseID = licenseID
        self.replacedID = replacedID
        self.state = state
        self.marks = marks
        self.createdAt = createdAt
    }

    /// The licenses this workflow owns while open: no other step may touch them meanwhile.
    public var licenseIDs: [Int] { [licenseID] + (replacedID.map { [$0] } ?? []) }
}
