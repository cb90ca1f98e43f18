import ArgumentParser

/// Options every command takes, before or after the subcommand's name.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The config file (default: $LICMGR_CONFIG, else \(BuildInfo.configPath)).", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Print exactly one JSON document on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Tell what was looked at, not only what changed.")
    var verbose = false

    @Flag(name: [.short, .long], help: "Drop chatter: print errors and the data asked for.")
    var quiet = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Append each request to the remote and its answer to this file, secrets blanked out.",
            valueName: "file"))
    var trace: String?

    func validate() throws {
        if verbose && quiet {
            throw ValidationError("--verbose and --quiet cannot be used together")
        }
    }
}
