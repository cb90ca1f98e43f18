/// How far a long stretch of a run has come.
public struct RunProgress: Sendable, Equatable {
    /// Which stretch of the run this is.
    public var phase: Phase
    public var done: Int
    /// 0 when not known.
    public var total: Int
    /// What is in flight now, in a few words; empty once the stretch is over.
    public var current: String

    public init(_ phase: Phase, done: Int, total: Int, current: String) {
        self.phase = phase
        self.done = done
        self.total = total
        self.current = current
    }

    /// The stretches of a run that report progress.
    public enum Phase: Sendable, Equatable, CustomStringConvertible {
        /// The remote's listing, page by page.
        case readingAccount
        /// A batch of changes, named by their kind; nil for a batch of several kinds.
        case sending(RemoteOperation.Kind?)
        /// Licenses viewed one by one after the changes: keys, statuses still settling.
        case readingBack

        /// The phase of a batch of steps of `kinds`.
        public static func batch(of kinds: some Sequence<RemoteOperation.Kind>) -> Phase {
            let distinct = Set(kinds)
            return .sending(distinct.count == 1 ? distinct.first : nil)
        }

        public var description: String {
            switch self {
            case .readingAccount: "reading the account"
            case .readingBack: "reading back licenses"
            case .sending(let kind?):
                switch kind {
                case .order: "ordering"
                case .renew: "renewing"
                case .suspend: "suspending"
                case .resume: "resuming"
                case .delete: "deleting"
                case .edit: "editing"
                case .newKey: "making new keys"
                case .changeTariff: "changing tariffs"
                }
            case .sending(nil): "changing licenses"
            }
        }
    }
}
