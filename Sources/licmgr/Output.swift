import Foundation
import LicmgrCore

/// Where a command's results go: data on stdout, diagnostics on stderr, or one JSON document.
struct Output {
    let json: Bool
    let verbose: Bool
    let quiet: Bool

    init(_ options: GlobalOptions) {
        self.init(json: options.json, verbose: options.verbose, quiet: options.quiet)
    }

    init(json: Bool, verbose: Bool = false, quiet: Bool = false) {
        self.json = json
        self.verbose = verbose
        self.quiet = quiet
    }

    /// A line of results; suppressed by `--quiet` and under `--json`.
    func line(_ text: String) {
        guard !json, !quiet else { return }
        print(text)
    }

    /// A line shown only with `--verbose`.
    func detail(_ text: String) {
        guard verbose, !json else { return }
        print(text)
    }

    func warning(_ text: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data("licmgr: warning: \(text)\n".utf8))
    }

    func error(_ text: String) {
        FileHandle.standardError.write(Data("licmgr: error: \(text)\n".utf8))
    }

    /// The contract's error document, `{"error": {"code": N, "message": "..."}}`.
    func errorDocument(code: Int32, message: String) {
        document(["error": ["code": .int(Int(code)), "message": .string(message)]])
    }

    func document(_ value: JSONValue) {
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        FileHandle.standardOutput.write(Data(bytes))
    }
}
