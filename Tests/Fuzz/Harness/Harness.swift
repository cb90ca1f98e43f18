import Glibc

/// One reader of outside input under fuzzing. A refusal with the reader's own error is the
/// right answer to nonsense; a crash, a hang or a broken promise (`require`) is a finding,
/// which libFuzzer keeps as a file to replay.
enum Harness: String, CaseIterable {
    /// licmgr.conf: `ConfigParser.parse`.
    case config
    /// `service import` input: `ServiceImport.parse` and the JSON reader under it.
    case `import`
    /// An answer of the remote, read by every public call of `BillmgrClient` and by the
    /// first-contact probe.
    case remote
    /// Amounts as the config (`Money.parse`), the catalogue (`Money.price`) and the remote's
    /// balances and refusals (`Money.amount`) write them.
    case money
    /// Dates as the remote and the database write them: `Day(_:)`.
    case day
    /// One cell of a license row, a form, an order's or a renewal's answer, the catalogue, the
    /// balance or an error, in every shape the remote may write it for a person.
    case cells

    /// Names the harness libFuzzer runs, to its callback and to any copy of the process it starts.
    static let variable = "LICMGR_FUZZ_HARNESS"
    static let fuzzed = getenv(variable).flatMap { Harness(rawValue: String(cString: $0)) }

    func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .config: ConfigHarness.run(bytes)
        case .import: ImportHarness.run(bytes)
        case .remote: RemoteHarness.run(bytes)
        case .money: MoneyHarness.run(bytes)
        case .day: DayHarness.run(bytes)
        case .cells: CellsHarness.run(bytes)
        }
    }
}

/// Stops the run when a reader breaks a promise: libFuzzer then saves the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// The input as text, for readers that take text; nil for bytes that are not UTF-8, which the
/// callers refuse before these readers see them.
func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    String(validating: bytes, as: UTF8.self)
}

/// Says `message` on stderr and ends the process with `status`.
func exit(_ status: Int32, _ message: String) -> Never {
    let line = Array((message + "\n").utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

extension Harness {
    /// `text` as a JSON string, for building inputs around a fuzzed value.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
