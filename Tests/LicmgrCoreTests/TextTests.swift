import Foundation
import XCTest

@testable import LicmgrCore

/// licmgr's string and path helpers stand in for the Foundation calls that would link ICU
/// (issue 12); the tests, which may link Foundation, hold them to Foundation's answers.
final class TextTests: XCTestCase {
    private let texts = [
        "", " ", "\t a b \t", "\n x \r\n", " \u{00A0}\u{2003}price\u{3000} ", "\u{2028}line\u{85}", "é ",
        "  ", "\u{0B}v\u{0C}", "-+ 12,50 +", "x", "a b", "7", "x\u{00A0}", "+12+",
    ]

    func testTrimmingAsFoundationTrims() {
        for text in texts {
            XCTAssertEqual(text.trimmingBlanks(), text.trimmingCharacters(in: .whitespaces), text.debugDescription)
            XCTAssertEqual(
                text.trimmingWhitespace(), text.trimmingCharacters(in: .whitespacesAndNewlines), text.debugDescription)
            XCTAssertEqual(
                text.trimming { "-+ ".unicodeScalars.contains($0) },
                text.trimmingCharacters(in: CharacterSet(charactersIn: "-+ ")), text.debugDescription)
        }
    }

    func testPaddingAsFoundationPads() {
        for text in ["", "id", "reusable", "a longer cell"] {
            for width in [0, 3, 8, 18] {
                XCTAssertEqual(text.padded(to: width), text.padding(toLength: width, withPad: " ", startingAt: 0))
            }
        }
    }

    func testCaseInsensitiveWordsAsFoundationCompares() {
        for (a, b) in [("Url", "URL"), ("all", "ALL"), ("Price", "Prices"), ("", ""), ("Database", "database")] {
            XCTAssertEqual(a.equalsIgnoringCase(b), a.caseInsensitiveCompare(b) == .orderedSame, "\(a) \(b)")
        }
    }

    func testParentAndJoinAsNSString() {
        // NSString's deletingLastPathComponent traps on a bare name ("a") in this Foundation.
        for path in ["/a/b", "/a", "/", "a/b/", "", "a//b", "//a", "/a/b//", "/etc/licmgr.conf"] {
            XCTAssertEqual(Path.parent(of: path), (path as NSString).deletingLastPathComponent, path)
        }
        XCTAssertEqual(Path.parent(of: "licmgr.db"), "")
        for (directory, name) in [("/a", "b"), ("/a/", "b"), ("", "b"), ("/", "b"), ("a", "b/"), ("/a", "")] {
            XCTAssertEqual(
                Path.join(directory, name), (directory as NSString).appendingPathComponent(name), "\(directory) \(name)"
            )
        }
    }

    func testStandardizedAsNSStringResolvingLinksAsFarAsThePathExists() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("licmgr-path-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("real/sub"), withIntermediateDirectories: true)
        let base = root.path
        try FileManager.default.createSymbolicLink(atPath: "\(base)/link", withDestinationPath: "\(base)/real")
        for path in [
            "\(base)/link/sub/../licmgr.conf", "\(base)/./link//sub/", "\(base)/link", "\(base)/link/sub/..",
            "\(base)/link/missing/../x.db", "\(base)/real/sub/x.db", "/a/b/../../../c", "/", "//a", "/a/./b/.",
            "a/../b", "rel/./x", "../x",
        ] {
            XCTAssertEqual(Path.standardized(path), (path as NSString).standardizingPath, path)
        }
        // Foundation reads a relative link's target from the current directory, not from the
        // link's own: licmgr follows it as the kernel does.
        try FileManager.default.createSymbolicLink(atPath: "\(base)/relative", withDestinationPath: "real/sub")
        XCTAssertEqual(Path.standardized("\(base)/relative/../x.conf"), "\(base)/real/x.conf")
    }

    func testQuotableTextIsOneLineAndShort() {
        XCTAssertEqual("plain".quotable(), "plain")
        XCTAssertEqual("a\nb\tc".quotable(), "a\\u{a}b\\u{9}c")
        XCTAssertEqual("abcdef".quotable(limit: 3), "abc…")
    }
}
