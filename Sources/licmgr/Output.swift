import FoundationEssentials
import Glibc
import LicmgrCore

/// Where a command's results go: data on stdout, diagnostics on stderr, or one JSON document.
struct Output {
    let json: Bool
    let verbose: Bool
    let quiet: Bool
    /// Where JSON documents go.
    let documents: FileDescriptor
    /// Whether stdout is a terminal: what is said only for a person is said only there.
    let terminal: Bool

    init(_ options: GlobalOptions) {
        self.init(json: options.json, verbose: options.verbose, quiet: options.quiet)
    }

    init(
        json: Bool, verbose: Bool = false, quiet: Bool = false, documents: FileDescriptor = .standardOutput,
        terminal: Bool = isatty(STDOUT_FILENO) == 1
    ) {
        self.json = json
        self.verbose = verbose
        self.quiet = quiet
        self.documents = documents
        self.terminal = terminal
    }

    /// A line of results; suppressed by `--quiet` and under `--json`.
    func line(_ text: String) {
        guard !json, !quiet else { return }
        print(text)
    }

    /// The data a command was asked for (a listing, a license, a key): printed under `--quiet`
    /// too, which drops only chatter; under `--json` the document carries it instead.
    func data(_ text: String) {
        guard !json else { return }
        print(text)
    }

    /// Says on stderr that a listing came out empty, to a person at a terminal: a script reading
    /// stdout gets empty output, and `--json` an empty array.
    func emptyListing(_ text: String) {
        guard !json, !quiet, terminal else { return }
        FileDescriptor.standardError.write("\(text)\n")
    }

    /// A line shown only with `--verbose`.
    func detail(_ text: String) {
        guard verbose, !json else { return }
        print(text)
    }

    func warning(_ text: String) {
        guard !quiet else { return }
        FileDescriptor.standardError.write("licmgr: warning: \(text)\n")
    }

    func error(_ text: String) {
        FileDescriptor.standardError.write("licmgr: error: \(text)\n")
    }

    /// The contract's error document, `{"error": {"code": N, "message": "..."}}`.
    func errorDocument(code: Int32, message: String) {
        document(["error": ["code": .int(Int(code)), "message": .string(message)]])
    }

    func document(_ value: JSONValue) {
        var bytes: [UInt8] = []
        value.write(into: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        documents.write(bytes)
    }

    /// Prints a JSON array of the elements `produce` hands to its argument, written out as
    /// they come so that a listing takes the memory of a few elements, not of all of them.
    /// Nothing is printed before the first 64 KiB or the end: a failure before then leaves
    /// stdout free for the error document. A failure after is rethrown as `ListingCut`.
    func array(_ produce: (_ element: (JSONValue) -> Void) throws -> Void) throws {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        var count = 0
        var written = false
        do {
            try produce { element in
                if count > 0 { bytes.append(UInt8(ascii: ",")) }
                count += 1
                element.write(into: &bytes)
                if bytes.count >= Self.chunk {
                    documents.write(bytes)
                    bytes.removeAll(keepingCapacity: true)
                    written = true
                }
            }
        } catch {
            if written { throw ListingCut(cause: error) }
            throw error
        }
        bytes.append(contentsOf: "]\n".utf8)
        documents.write(bytes)
    }

    private static let chunk = 64 * 1024
}

/// A JSON listing that failed after part of it was printed: no error document can follow it
/// on stdout, so the message goes to stderr and the unterminated array tells a parser that
/// the listing is not whole.
struct ListingCut: Error, CustomStringConvertible {
    let cause: any Error

    var description: String { String(describing: cause) }
}
