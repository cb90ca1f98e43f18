import ArgumentParser
import LicmgrCore

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Show the remote steps still in doubt, or with --all every journaled step.",
        discussion: """
            A step is in doubt when its answer never came; the next run that talks to the remote \
            settles it before doing anything else. This is where to look when runs keep exiting 75.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Every journaled step: done, failed, settled and in doubt.")
    var all = false

    func run() throws {
        try CommandContext.run(global, command: "journal") { context in
            let store = try context.readStore()
            func forEachShown(_ body: (RemoteOperation) throws -> Void) throws {
                if all {
                    try store.forEachOperation(body)
                } else {
                    try store.operations(state: .pending).forEach(body)
                }
            }
            if context.output.json {
                try context.output.array { element in
                    try forEachShown { operation in
                        // The price licmgr noted is kept in `Money`'s unit; shown as an amount.
                        var params = operation.params
                        params["cost"] = params["cost"].flatMap { Int($0) }.map(Money.format)
                        element([
                            "key": .string(operation.key), "kind": .string(operation.kind.rawValue),
                            "state": .string(operation.state == .pending ? "in_doubt" : operation.state.rawValue),
                            "service_id": JSONValue(operation.serviceID), "addon": JSONValue(operation.addon),
                            "license_id": JSONValue(operation.licenseID), "params": JSONValue(params),
                            "result": JSONValue(operation.result), "command": .string(operation.command),
                            "created": .string(operation.createdAt),
                        ])
                    }
                }
                return .ok
            }
            try Table.print(
                header: ["WHEN (UTC)", "KEY", "STEP", "STATE", "SERVICE", "LICENSE", "RESULT"], to: context.output,
                empty: all ? "the journal is empty" : "no steps in doubt"
            ) { row in
                try forEachShown { operation in
                    row([
                        operation.createdAt, operation.key, operation.kind.rawValue,
                        operation.state == .pending ? "in doubt" : operation.state.rawValue,
                        operation.serviceID.map(String.init) ?? "-", operation.licenseID.map(String.init) ?? "-",
                        operation.result ?? "-",
                    ])
                }
            }
            return .ok
        }
    }
}
