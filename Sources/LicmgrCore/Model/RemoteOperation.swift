/// One journaled remote step: written before the call, finished after it.
public struct RemoteOperation: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case order, renew, suspend, resume, delete, edit, newKey = "newkey", changeTariff = "changepricelist"
    }

    public enum State: String, Sendable {
        /// Sent, or about to be, with no answer recorded: in doubt until settled.
        case pending
        /// Applied on the remote.
        case done
        /// Refused by the remote; nothing changed there.
        case failed
        /// Found not applied when settled; safe to try again.
        case void
    }

    /// The operation key; sent as `remoteid` on orders so the remote list can tell.
    public var key: String
    public var kind: Kind
    public var serviceID: Int?
    public var addon: String?
    public var licenseID: Int?
    public var params: [String: String]
    public var state: State
    public var result: String?
    public var command: String
    public var createdAt: String

    public init(
        key: String, kind: Kind, serviceID: Int?, addon: String?, licenseID: Int?, params: [String: String],
        state: State = .pending, result: String? = nil, command: String, createdAt: String
    ) {
        self.key = key
        self.kind = kind
        self.serviceID = serviceID
        self.addon = addon
        self.licenseID = licenseID
        self.params = params
        self.state = state
        self.result = result
        self.command = command
        self.createdAt = createdAt
    }
}
