import FoundationEssentials
import Glibc
import Synchronization

/// SIGINT and SIGTERM during a run that changes the remote: the step in flight finishes and is
/// recorded, no further step is sent, and the run ends with what it did (exit 75). Killing it
/// mid-step would be safe too, thanks to the journal, but would leave the operator no report.
public enum Interruption {
    private static let received = Atomic<Int32>(0)

    /// Catches the two signals for the rest of the process.
    public static func catchSignals() {
        for number in [SIGINT, SIGTERM] {
            _ = Glibc.signal(number) { Interruption.received.store($0, ordering: .relaxed) }
        }
    }

    /// The signal received, if any.
    static var signal: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }
}
