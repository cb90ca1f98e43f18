import FoundationEssentials
import Glibc
import Synchronization

/// The file `--trace` names: each request to the remote and its answer, for support. Opened
/// for appending, so that the runs of a day follow one another in one file; created readable
/// by its owner alone, as it shows the account's licenses even with every secret blanked out.
/// Best effort once open: an entry that cannot be written never fails a run.
public final class TraceFile: Sendable {
    public let path: String
    private let descriptor: Int32
    private let time: any TimeSource
    /// The number of the next request, counted over the whole run so that the answers of calls
    /// in flight together can be told apart.
    private let next = Mutex(1)

    public init(path: String, time: any TimeSource = SystemTime()) throws(TraceFileError) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw TraceFileError(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        self.descriptor = descriptor
        self.time = time
    }

    deinit { close(descriptor) }

    /// Writes `text` as one entry under a line with the time (UTC, to the millisecond) and `title`.
    public func write(_ title: String, _ text: String? = nil) {
        var entry = "\(stamp()) \(title)\n"
        if let text, !text.isEmpty {
            entry += text
            if !text.hasSuffix("\n") { entry += "\n" }
        }
        let bytes = Array(entry.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }

    /// A number for the next request.
    func take() -> Int {
        next.withLock { number in
            defer { number += 1 }
            return number
        }
    }

    private func stamp() -> String {
        let now = time.now().timeIntervalSince1970
        let millis = Int((now - now.rounded(.down)) * 1000)
        return FixedTime(Date(timeIntervalSince1970: now.rounded(.down))).timestamp + "."
            + String(millis).leftPadded(to: 3)
    }
}

/// The trace file cannot be opened: nothing was done.
public struct TraceFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "cannot open the trace file \(path): \(reason)" }
}
