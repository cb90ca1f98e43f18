import CFuzzer
import FoundationEssentials
import Glibc

// `licmgr-fuzz HARNESS ARGUMENT...`. Built with -sanitize=fuzzer (make fuzz), it runs libFuzzer
// on the harness and the arguments are libFuzzer's: flags, then corpus directories. A plain
// build feeds each FILE, or each file of a DIR, to the harness once: how make test replays the
// committed corpus, and how a saved crash is tried again.
let arguments = Array(CommandLine.arguments.dropFirst())
let named = arguments.first.flatMap(Harness.init(rawValue:))
// A copy of itself that libFuzzer starts (-fork, -merge, -minimize_crash) gets libFuzzer's
// arguments alone: the environment names its harness.
let harness = named ?? Harness.fuzzed
let rest = Array(arguments.dropFirst(named == nil ? 0 : 1))
guard let harness, licmgr_fuzzer_linked() != 0 || !rest.isEmpty else {
    let names = Harness.allCases.map(\.rawValue).joined(separator: ", ")
    exit(64, "usage: licmgr-fuzz HARNESS FILE|DIR... (or libFuzzer's flags and corpus); harnesses: \(names)")
}

if licmgr_fuzzer_linked() != 0 {
    setenv(Harness.variable, harness.rawValue, 1)
    exit(runFuzzer(arguments: [CommandLine.arguments[0]] + rest))
}

var replayed = 0
for path in rest {
    var isDirectory = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        exit(66, "licmgr-fuzz: \(path): no such file")
    }
    let files =
        isDirectory
        ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 } : [path]
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else {
            exit(66, "licmgr-fuzz: \(file): cannot read")
        }
        [UInt8](data).withUnsafeBufferPointer { harness.run($0) }
        replayed += 1
    }
}
print("\(harness.rawValue): \(replayed) inputs replayed")

/// Hands the arguments to libFuzzer's driver, which calls `fuzzerTestOneInput`.
func runFuzzer(arguments: [String]) -> Int32 {
    var argc = Int32(arguments.count)
    var pointers = arguments.map { strdup($0) } + [nil]
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var argv = buffer.baseAddress
        return licmgr_run_fuzzer(&argc, &argv, fuzzerTestOneInput)
    }
}

/// One input for the harness the environment names. libFuzzer's own main, which SwiftPM's
/// executable entry point overrides, needs this name to link.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Harness.fuzzed!.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}
