import FoundationEssentials

/// Where the engine reads the time: the system clock in production, a fixed one in tests.
public protocol TimeSource: Sendable {
    func now() -> Date
}

extension TimeSource {
    public var today: Day { Day(secondsSince1970: Int(now().timeIntervalSince1970)) }

    /// A UTC timestamp for history rows, `YYYY-MM-DD HH:MM:SS`.
    public var timestamp: String { timestamp(secondsAgo: 0) }

    /// The timestamp of an instant before now, in the same sortable form.
    public func timestamp(secondsAgo: Int) -> String {
        let seconds = Int(now().timeIntervalSince1970) - secondsAgo
        let today = Day(secondsSince1970: seconds)
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(today) \(pad(inDay / 3600)):\(pad(inDay / 60 % 60)):\(pad(inDay % 60))"
    }
}

public struct SystemTime: TimeSource {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock stopped at one instant.
public struct FixedTime: TimeSource {
    public let instant: Date
    public init(_ instant: Date) { self.instant = instant }
    public init(day: Day) { self.instant = Date(timeIntervalSince1970: TimeInterval(day.ordinal * 86_400 + 12 * 3600)) }
    public func now() -> Date { instant }
}
