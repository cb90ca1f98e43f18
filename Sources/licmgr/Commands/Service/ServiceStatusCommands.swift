import ArgumentParser
import LicmgrCore

/// What `service suspend`, `resume` and `close` share: record the new status, and with
/// `--now` carry it to the remote licenses at once instead of on the next `checkevent`.
struct StatusChangeOptions: ParsableArguments {
    @Argument(help: "Service ids.")
    var ids: [Int]

    @Flag(help: "Carry the change to the remote licenses now, not on the next checkevent.")
    var now = false

    @Flag(help: "With --now: say what would be done to the licenses; change nothing anywhere.")
    var dryRun = false

    func validate() throws {
        if dryRun && !now { throw ValidationError("--dry-run goes with --now") }
    }

    func run(_ global: GlobalOptions, to status: Service.Status) throws {
        let verb = ServiceRegistry.verb(for: status)
        try CommandContext.run(global, command: "service \(verb)", locking: now, recorded: now && !dryRun) { context in
            if dryRun {
                try context.registry().validateStatus(ids, to: status)
                let report = try context.engine().follow(
                    serviceIDs: ids, dryRun: true, assuming: ServiceChange(status: status))
                Rendering.print(report, to: context.output)
                return report.exitStatus
            }
            let changed = try context.registry().setStatus(ids, to: status)
            if !now {
                if context.output.json {
                    context.output.document(["changed": JSONValue(changed.map(\.id))])
                } else {
                    for service in changed { context.output.line("service \(service.id) is now \(status.rawValue)") }
                }
                return .ok
            }
            for service in changed { context.output.line("service \(service.id) is now \(status.rawValue)") }
            let report = try context.engine().follow(serviceIDs: ids, dryRun: false)
            context.tally(report)
            Rendering.print(report, to: context.output)
            return report.exitStatus
        }
    }
}

extension ServiceCommand {
    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "suspend", abstract: "Suspend services; their licenses are suspended too.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: StatusChangeOptions
        func run() throws { try options.run(global, to: .suspended) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resume",
            abstract: "Resume services; their licenses are resumed (renewed first if they lapsed).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: StatusChangeOptions
        func run() throws { try options.run(global, to: .active) }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "close",
            abstract: "Close services; their licenses are deleted, or parked in the free pool for a ReusePrice package."
        )
        @OptionGroup var global: GlobalOptions
        @OptionGroup var options: StatusChangeOptions
        func run() throws { try options.run(global, to: .closed) }
    }
}
