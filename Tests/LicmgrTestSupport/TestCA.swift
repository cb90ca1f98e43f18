import Foundation

/// A certificate authority made with openssl in a directory of its own, and the server
/// certificates it signs: valid ones, ones for another host, expired ones.
public final class TestCA {
    public let directory: URL
    /// The CA's certificate, PEM: what a CAFile names.
    public let certificate: String
    private let key: String
    private let config: String

    /// Makes the CA's key and self-signed certificate in `directory`/`name`.
    public init(in directory: URL, name: String) throws {
        self.directory = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        certificate = self.directory.appendingPathComponent("ca.pem").path
        key = self.directory.appendingPathComponent("ca.key").path
        config = self.directory.appendingPathComponent("ca.cnf").path
        // `openssl ca` rather than `x509 -req`: only it sets arbitrary dates in OpenSSL 3.0.
        let settings = """
            [ca]
            default_ca = test
            [test]
            database = index.txt
            new_certs_dir = .
            serial = serial
            default_md = sha256
            policy = any
            unique_subject = no
            [any]
            commonName = supplied

            """
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        try "".write(to: self.directory.appendingPathComponent("index.txt"), atomically: true, encoding: .utf8)
        try "01\n".write(to: self.directory.appendingPathComponent("serial"), atomically: true, encoding: .utf8)
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
            "-out", certificate, "-days", "2", "-subj", "/CN=\(name)",
        ])
    }

    /// A key and a certificate for the subjectAltName `names`, valid since yesterday for two
    /// days, or expired since 2020 when `expired`. Returns their paths.
    public func issue(_ file: String, names: String = "IP:127.0.0.1,DNS:localhost", expired: Bool = false) throws -> (
        certificate: String, key: String
    ) {
        let base = directory.appendingPathComponent(file).path
        let extensions = base + ".ext"
        try "subjectAltName = \(names)\n".write(toFile: extensions, atomically: true, encoding: .utf8)
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
            "-out", base + ".csr", "-subj", "/CN=\(file)",
        ])
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        let now = Date()
        let (start, end) =
            expired
            ? ("20200101000000Z", "20200201000000Z")
            : (
                formatter.string(from: now.addingTimeInterval(-86_400)),
                formatter.string(from: now.addingTimeInterval(86_400))
            )
        try openssl([
            "ca", "-batch", "-notext", "-config", config, "-cert", certificate, "-keyfile", key, "-in", base + ".csr",
            "-out", base + ".pem", "-startdate", start, "-enddate", end, "-extfile", extensions,
        ])
        return (base + ".pem", base + ".key")
    }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LoopbackDaemon.tool("openssl") ?? "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let said = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolError("openssl \(arguments.joined(separator: " ")): \(String(decoding: said, as: UTF8.self))")
        }
    }
}
