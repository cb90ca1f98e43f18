import FoundationEssentials
import Glibc

/// An exclusive lock on a file, held for the life of the value. It is an `flock`, so the
/// kernel drops it when the holder dies: a killed run never blocks the next one.
public final class RunLock {
    public let path: String
    private let descriptor: Int32

    /// Takes the lock at once or throws `LockError.held` naming the holder's PID.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw LockError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPID(fd)
            close(fd)
            throw LockError.held(path: path, pid: holder)
        }
        descriptor = fd
        let pid = "\(getpid())\n"
        ftruncate(fd, 0)
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readPID(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, 31, 0)
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer[0..<count], as: UTF8.self).trimmingWhitespace())
    }
}
