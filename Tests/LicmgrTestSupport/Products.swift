import Foundation

/// Where `swift build` put the executables the acceptance tests run.
public enum Products {
    public static let directory: URL = {
        var candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        candidates += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        for candidate in candidates
        where FileManager.default.isExecutableFile(atPath: candidate.appendingPathComponent("licmgr").path) {
            return candidate
        }
        fatalError("the licmgr executable was not found next to the test bundle; run 'swift build' first")
    }()

    public static var licmgr: URL { directory.appendingPathComponent("licmgr") }
    public static var simulator: URL { directory.appendingPathComponent("billmgr-sim") }
}
