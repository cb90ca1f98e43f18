import Foundation
import LicmgrTestSupport
import XCTest

/// `--help` is part of what users read: a change to it shows up here, on purpose or not.
/// Run with LICMGR_UPDATE_GOLDENS=1 to rewrite the files after a deliberate change.
final class HelpGoldenTests: XCTestCase {
    private let goldens = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens")

    private func check(_ arguments: [String], golden name: String, file: StaticString = #filePath, line: UInt = #line)
        throws
    {
        let work = try Workspace()
        let result = try work.run(arguments: arguments)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        let path = goldens.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["LICMGR_UPDATE_GOLDENS"] == "1" {
            try result.stdout.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        XCTAssertEqual(
            result.stdout, expected, "licmgr \(arguments.joined(separator: " ")) changed", file: file, line: line)
    }

    func testTopLevelHelp() throws {
        try check(["--help"], golden: "licmgr-help.txt")
    }

    func testServiceHelp() throws {
        try check(["service", "--help"], golden: "service-help.txt")
    }

    func testOrderHelp() throws {
        try check(["order", "--help"], golden: "order-help.txt")
    }

    func testCheckeventHelp() throws {
        try check(["checkevent", "--help"], golden: "checkevent-help.txt")
    }
}
