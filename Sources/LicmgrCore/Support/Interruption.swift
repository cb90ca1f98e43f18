import FoundationEssentials
import Glibc
import Synchronization

/// SIGINT and SIGTERM during a run that changes the remote. The first: the changes in flight
/// finish and are recorded, no further step is sent, reads (a listing, the read-back) stop at
/// once since they change nothing, and the run ends with what it did (exit 75). The second:
/// the changes in flight are not waited for; they stay journaled in doubt for the next run to
/// settle. Killing the run would be safe too, thanks to the journal, but would leave the
/// operator no report.
public enum Interruption {
    private static let received = Atomic<Int32>(0)
    private static let count = Atomic<Int>(0)
    /// Both ends of a pipe the handler writes a byte to, so that a wait for the remote wakes
    /// at once whichever thread the signal lands on.
    private static let pipeEnds: (read: Int32, write: Int32) = {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return (-1, -1) }
        // Never blocking: a handler must not wait on a full pipe, nor a drain on an empty one.
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }()
    private static let writeEnd = Atomic<Int32>(-1)

    /// Catches the two signals for the rest of the process.
    public static func catchSignals() {
        // Every static the handler touches is made here: a first touch in a handler would
        // run their lazy initialisation, which is not async-signal-safe.
        _ = received.load(ordering: .relaxed)
        _ = count.load(ordering: .relaxed)
        writeEnd.store(pipeEnds.write, ordering: .relaxed)
        for number in [SIGINT, SIGTERM] {
            _ = Glibc.signal(number) { number in
                // Only async-signal-safe work here: atomics and write(2).
                _ = Interruption.received.compareExchange(expected: 0, desired: number, ordering: .relaxed)
                Interruption.count.add(1, ordering: .relaxed)
                var byte: UInt8 = 1
                _ = write(Interruption.writeEnd.load(ordering: .relaxed), &byte, 1)
            }
        }
    }

    /// The first signal received, if any.
    static var signal: Int32? {
        let number = received.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// A second signal came: the changes in flight are abandoned, left in doubt.
    static var abandoning: Bool { count.load(ordering: .relaxed) >= 2 }

    /// A descriptor that turns readable when a signal comes, for a wait to watch beside its
    /// sockets; nil while signals are not caught. Reading it is `drainWakeUps`' business.
    static var wakeUp: Int32? {
        let end = writeEnd.load(ordering: .relaxed)
        return end < 0 ? nil : pipeEnds.read
    }

    /// Empties the pipe `wakeUp` watches, so that a wait after this one blocks again.
    static func drainWakeUps() {
        guard let end = wakeUp else { return }
        var bytes = [UInt8](repeating: 0, count: 16)
        while read(end, &bytes, bytes.count) > 0 {}
    }
}
