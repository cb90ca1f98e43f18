import ArgumentParser
import LicmgrCore

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Work with the database file.",
        subcommands: [Backup.self])

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy the database, consistent, to a file of its own while other runs go on.",
            discussion: """
                The copy is one moment's database (SQLite's VACUUM INTO, in one read transaction): \
                cron's checkevent is not stopped and not seen half-way. It is written mode 0600 under \
                a temporary name beside PATH and renamed when complete. An existing PATH is left \
                alone unless --force is given (exit 64). To restore, see licmgr(8), The database.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The file to write the copy to.", valueName: "path"), completion: .file())
        var path: String

        @Flag(help: "Replace PATH if it exists.")
        var force = false

        func run() throws {
            try CommandContext.run(global, command: "db backup") { context in
                let copy = try DatabaseBackup.copy(database: context.config.database, to: path, replace: force)
                if context.output.json {
                    context.output.document([
                        "database": .string(copy.database), "path": .string(copy.path), "bytes": .int(copy.bytes),
                        "schema_version": .int(copy.schemaVersion),
                    ])
                } else {
                    context.output.line("backed up \(copy.database) to \(copy.path) (\(copy.bytes) bytes)")
                }
                return .ok
            }
        }
    }
}
