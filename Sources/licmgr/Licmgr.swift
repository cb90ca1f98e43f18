import ArgumentParser
import CPrctl
import LicmgrCore

@main
struct Licmgr: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "licmgr",
        abstract: "Buy, renew and follow control-panel licenses for the servers a hosting provider sells.",
        discussion: """
            licmgr keeps the local billing's services and the remote BILLmanager's licenses in one \
            SQLite file and moves the remote toward what the services need. Every remote step that \
            spends money is journaled first, so an interrupted run is settled by the next one.
            """,
        version: BuildInfo.text,
        subcommands: [
            ServiceCommand.self, OrderCommand.self, RenewCommand.self, CheckEventCommand.self, FixChildsCommand.self,
            ImportTariffsCommand.self, SyncCommand.self, ListCommand.self, ShowCommand.self, NewKeyCommand.self,
            ParkCommand.self, DeleteCommand.self, HistoryCommand.self, JournalCommand.self, StatusCommand.self,
            ConfigCommand.self, DatabaseCommand.self,
        ]
    )

    @OptionGroup var global: GlobalOptions

    /// Parses and runs like ArgumentParser's own `main`, except that a command-line error
    /// under `--json` is also the contract's one JSON document on stdout.
    static func main() {
        // First, before the config is read: a core dump would hold the password. Setting it
        // cannot fail; it also keeps the user's other processes out of this one's memory.
        _ = licmgr_forbid_core_dumps()
        // A block of 128 KB or more (a listing page, an array of 100,000 licenses) gets pages of
        // its own, given back when it is freed. glibc would otherwise raise that bound to the
        // largest block freed so far and serve the next from its heap, which keeps the pages: a
        // run at 100,000 licenses then holds 10 MB more than it uses.
        _ = licmgr_mmap_blocks_from(128 * 1024)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // ArgumentParser answers --version itself, with the text alone: --json asks for the object.
            if CommandLine.arguments.contains("--json"), fullMessage(for: error) == BuildInfo.text {
                Output(json: true).document(BuildInfo.json)
                exit(withError: ExitCode.success)
            }
            let code = exitCode(for: error)
            if CommandLine.arguments.contains("--json"), !(error is ExitCode), code != .success {
                Output(json: true).errorDocument(code: code.rawValue, message: message(for: error))
            }
            // A command line the parser refused: one line, as every other error, not its
            // usage block (the ExitCode a command throws has been said already).
            if code == .validationFailure, !(error is ExitCode) {
                Output(json: false).error(usageLine(for: error))
                exit(withError: ExitCode.validationFailure)
            }
            exit(withError: error)
        }
    }

    /// "the value 'abc' is invalid for '<ids>'; see 'licmgr order --help'": the parser's
    /// message in licmgr's voice, and the help of the command it was parsing.
    static func usageLine(for error: any Error) -> String {
        var said = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
        // The parser's own messages start as a sentence ("The value", "Missing expected argument").
        if let first = said.first, first.isUppercase, said.dropFirst().first?.isLowercase == true {
            said = first.lowercased() + said.dropFirst()
        }
        // "Unknown option '--frob'. Did you mean '--json'?" reads on in one clause.
        said = said.replacing(". Did you mean ", with: " (did you mean ")
        if said.hasSuffix("?") && said.contains("(did you mean ") { said += ")" }
        // Its usage block ends "  See 'licmgr order --help' for more information."
        let help = fullMessage(for: error).split(separator: "\n").last { $0.contains("See '") }
            .flatMap { $0.split(separator: "'", omittingEmptySubsequences: false).dropFirst().first }
        return help.map { "\(said); see '\($0)'" } ?? said
    }
}
