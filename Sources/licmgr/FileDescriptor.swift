import Glibc

/// Standard input and output as plain file descriptors: Foundation's `FileHandle`, the one
/// other way, would link ICU into the binary.
struct FileDescriptor {
    let raw: Int32

    static let standardInput = FileDescriptor(raw: STDIN_FILENO)
    static let standardOutput = FileDescriptor(raw: STDOUT_FILENO)
    static let standardError = FileDescriptor(raw: STDERR_FILENO)

    /// Writes all of `bytes`; a write that fails for good (say, a closed pipe) drops the rest.
    func write(_ bytes: some Collection<UInt8>) {
        let all = Array(bytes)
        var offset = 0
        while offset < all.count {
            let written = all[offset...].withUnsafeBytes { Glibc.write(raw, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Everything until end of file, or what came before a read error.
    func readToEnd() -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(raw, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return bytes }
            bytes.append(contentsOf: buffer[..<count])
        }
    }
}
