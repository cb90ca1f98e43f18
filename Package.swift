// swift-tools-version:6.0
import PackageDescription

// make passes the install's config directory and the git commit here; a plain `swift build`
// leaves them unset and the binary reads /usr/local/etc and says "unknown" (Sources/CBuildInfo).
let buildInfo = ["LICMGR_SYSCONFDIR", "LICMGR_COMMIT"].flatMap { name -> [String] in
    guard let value = Context.environment[name], !value.isEmpty else { return [] }
    return ["-Xcc", "-D\(name)=\"\(value)\""]
}

let package = Package(
    name: "licmgr",
    products: [
        .executable(name: "licmgr", targets: ["licmgr"]),
        .executable(name: "billmgr-sim", targets: ["billmgr-sim"]),
    ],
    dependencies: [
        // Command-line parsing for both executables.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // HTTP server for the simulator only; licmgr itself never links it.
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // prctl from libc, for the executable alone.
        .systemLibrary(name: "CPrctl"),
        // posix_spawn's GNU file actions, for the hook.
        .systemLibrary(name: "CSpawn"),
        // syslog(3) from libc, for the log trail.
        .systemLibrary(name: "CSyslog"),
        // The config directory and commit make bakes in; no library behind it.
        .systemLibrary(name: "CBuildInfo"),
        .target(
            name: "LicmgrCore",
            dependencies: ["CCurl", "CSQLite", "CSpawn"]
        ),
        .executableTarget(
            name: "licmgr",
            dependencies: [
                "LicmgrCore", "CPrctl", "CSyslog", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: buildInfo.isEmpty ? [] : [.unsafeFlags(buildInfo)]
        ),
        .executableTarget(
            name: "billmgr-sim",
            dependencies: [
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Coverage-guided fuzzing of the readers of outside input: `make fuzz` builds it with
        // -sanitize=fuzzer,address in a scratch path of its own; a plain build replays saved
        // inputs (Tests/Fuzz/corpus), as make test does.
        .executableTarget(
            name: "licmgr-fuzz",
            dependencies: ["LicmgrCore", "CFuzzer"],
            path: "Tests/Fuzz/Harness"
        ),
        // libFuzzer's driver, declared weak: present only in the -sanitize=fuzzer build.
        .systemLibrary(name: "CFuzzer", path: "Tests/Fuzz/CFuzzer"),
        .target(
            name: "LicmgrTestSupport",
            dependencies: ["LicmgrCore"],
            path: "Tests/LicmgrTestSupport"
        ),
        .testTarget(
            name: "LicmgrCoreTests",
            dependencies: ["LicmgrCore", "LicmgrTestSupport"]
        ),
        // The engine under random fault schedules against a model of the remote (make simtest).
        .testTarget(
            name: "LicmgrSimulation",
            dependencies: ["LicmgrCore", "LicmgrTestSupport"],
            path: "Tests/LicmgrSimulation"
        ),
        .testTarget(
            name: "licmgrTests",
            dependencies: ["LicmgrTestSupport", "licmgr", "billmgr-sim"],
            // Read by the golden tests through #filePath, not bundled.
            exclude: ["Goldens", "Fixtures"]
        ),
    ]
)
