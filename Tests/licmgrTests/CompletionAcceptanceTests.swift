import Foundation
import LicmgrTestSupport
import XCTest

/// The bash completion `make install` generates completes file names where a file is asked for.
final class CompletionAcceptanceTests: XCTestCase {
    /// What bash offers for the last word of `line`, with the generated script loaded, in `work`.
    private func completions(_ line: String, in work: Workspace) throws -> [String] {
        let script = try work.run(arguments: ["--generate-completion-script", "bash"])
        XCTAssertEqual(script.status, 0, script.stderr)
        try work.writeFile("completion.bash", script.stdout)
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let quoted = words.map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c",
            """
            source ./completion.bash
            COMP_LINE='\(line)'; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); COMP_POINT=${#COMP_LINE}
            _licmgr licmgr '\(words.last ?? "")' '\(words.dropLast().last ?? "")'
            printf '%s\\n' "${COMPREPLY[@]}"
            """,
        ]
        process.currentDirectoryURL = work.directory
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).sorted()
    }

    func testFileNamesAreCompletedForTheConfigTheTraceAndAnImport() throws {
        let work = try Workspace()
        try work.writeFile("licmgr.conf", "")
        try work.writeFile("services.json", "[]")
        try work.writeFile("trace.log", "")
        XCTAssertEqual(try completions("licmgr --config lic", in: work), ["licmgr.conf"])
        XCTAssertEqual(try completions("licmgr checkevent --config lic", in: work), ["licmgr.conf"])
        XCTAssertEqual(try completions("licmgr sync --trace tr", in: work), ["trace.log"])
        XCTAssertEqual(try completions("licmgr service import serv", in: work), ["services.json"])
        XCTAssertEqual(try completions("licmgr service import --config x serv", in: work), ["services.json"])
    }
}
