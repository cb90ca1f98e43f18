/// One line of `licmgr history`.
public struct HistoryEntry: Sendable, Equatable {
    public var id: Int
    public var at: String
    public var command: String
    public var serviceID: Int?
    public var licenseID: Int?
    public var action: String
    public var result: String
    public var detail: String

    public init(
        id: Int = 0, at: String, command: String, serviceID: Int?, licenseID: Int?, action: String,
        result: String, detail: String
    ) {
        self.id = id
        self.at = at
        self.command = command
        self.serviceID = serviceID
        self.licenseID = licenseID
        self.action = action
        self.result = result
        self.detail = detail
    }
}
