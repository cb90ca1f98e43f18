// swift-tools-version:6.0
import PackageDescription

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
        .target(
            name: "LicmgrCore",
            dependencies: ["CCurl", "CSQLite", "CSpawn"]
        ),
        .executableTarget(
            name: "licmgr",
            dependencies: [
                "LicmgrCore", "CPrctl", "CSyslog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "billmgr-sim",
            dependencies: [
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "LicmgrTestSupport",
            dependencies: ["LicmgrCore"],
            path: "Tests/LicmgrTestSupport"
        ),
        .testTarget(
            name: "LicmgrCoreTests",
            dependencies: ["LicmgrCore", "LicmgrTestSupport"]
        ),
        .testTarget(
            name: "licmgrTests",
            dependencies: ["LicmgrTestSupport", "licmgr", "billmgr-sim"],
            // Read by the golden tests through #filePath, not bundled.
            exclude: ["Goldens"]
        ),
    ]
)
