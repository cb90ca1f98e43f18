import CBuildInfo
import LicmgrCore

/// What this binary is: its version, what make baked in (the commit, the install's config
/// directory) and the libraries it runs with. `--version` prints it.
enum BuildInfo {
    static let version = "0.1.0"
    static let commit = String(cString: licmgr_build_commit())
    /// The config file read without `--config` or `$LICMGR_CONFIG`: under the install's SYSCONFDIR.
    static let configPath = String(cString: licmgr_build_sysconfdir()) + "/licmgr.conf"
    /// Sent on every remote call, so the remote's logs can tell licmgr and its version apart.
    static let userAgent = "licmgr/\(version)"

    static var text: String {
        let curl = CurlTransport.libraryVersion
        return """
            licmgr \(version) (commit \(commit))
            libcurl \(curl.curl)\(curl.tls.map { " (\($0))" } ?? ""), SQLite \(SQLiteDatabase.libraryVersion)
            default config \(configPath)
            """
    }

    static var json: JSONValue {
        let curl = CurlTransport.libraryVersion
        return [
            "version": .string(version), "commit": .string(commit), "libcurl": .string(curl.curl),
            "tls": JSONValue(curl.tls), "sqlite": .string(SQLiteDatabase.libraryVersion), "config": .string(configPath),
        ]
    }
}
