import Foundation
import LicmgrCore
import XCTest

/// The property test of issue 19: over random states (`Workload.planState`), every command with
/// a dry run plans what its run then does, and costs what the run spends (`PlanCheck`). Each
/// state is built once; each command runs its dry run and its run on a fork of it.
///
/// `make test` runs `boundedStates` states and lets through the disagreements the engine is
/// known to have (`KnownDisagreement.all`); `make plancheck SEEDS=N` runs as many as asked
/// (`LICMGR_PLANCHECK_SEEDS`, from `LICMGR_PLANCHECK_FIRST_SEED`), `LICMGR_PLANCHECK_SEED=N` one
/// with both reports of every command, and `LICMGR_PLANCHECK_STRICT=1` lets nothing through.
/// A disagreement prints its seed, the smallest state found that still shows it, and that state
/// as a test to paste into `PlanMatchesRunKnownTests`.
final class PlanMatchesRunTests: XCTestCase {
    /// About 20 seconds on the project's two-core machines.
    static let boundedStates = 300
    /// Disagreements cut down and printed in full per failing run (`LICMGR_PLANCHECK_SHOW`); the rest are counted.
    static let reproduced = 8

    func testDryRunPlansWhatTheRunDoes() throws {
        let environment = ProcessInfo.processInfo.environment
        let single = environment["LICMGR_PLANCHECK_SEED"].flatMap { UInt64($0) }
        let count =
            single == nil ? environment["LICMGR_PLANCHECK_SEEDS"].flatMap { Int($0) } ?? Self.boundedStates : 1
        let first = single ?? environment["LICMGR_PLANCHECK_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
        let known = environment["LICMGR_PLANCHECK_STRICT"] == "1" ? [] : KnownDisagreement.all
        let started = Date()
        var checks = 0
        var actions: [String: Int] = [:]
        var explained: [String: Int] = [:]
        // Each disagreement once, by command and signature: how often, and its first state.
        var found: [String: (count: Int, seed: UInt64, state: Workload.PlanState, check: Event, text: String)] = [:]
        for seed in first..<(first + UInt64(count)) {
            let state = Workload.planState(seed: seed)
            let world = try Simulation()
            for event in state.events { try world.apply(event) }
            if single != nil {
                print("state of seed \(seed) (renames per run: \(state.renamesPerRun.map(String.init) ?? "default")):")
                for event in state.events { print("    \(event.swift)") }
            }
            for check in state.checks {
                guard
                    let outcome = try Simulation(forking: world).planThenRun(check, renamesPerRun: state.renamesPerRun)
                else { continue }
                checks += 1
                for item in outcome.run?.items ?? [] where PlanCheck.changes.contains(item.action) {
                    actions[item.action.rawValue, default: 0] += 1
                }
                if single != nil { print(Self.describe(outcome)) }
                let (left, allowed) = outcome.unexplained(by: known)
                for name in allowed { explained[name, default: 0] += 1 }
                for mismatch in left {
                    let key = "\(check.commandName): \(mismatch.signature)"
                    if let seen = found[key] {
                        found[key]!.count = seen.count + 1
                    } else {
                        found[key] = (1, seed, state, check, mismatch.text)
                    }
                }
            }
        }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        func list(_ counts: [String: Int]) -> String {
            counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
        }
        print(
            "plancheck: \(count) states from \(first), \(checks) commands each dry-run then run, in "
                + "\(String(format: "%.1f", seconds)) s\nplancheck: the runs did: \(list(actions))\n"
                + "plancheck: known disagreements let through: \(explained.isEmpty ? "none" : list(explained))")
        guard !found.isEmpty else { return }
        var lines = ["plancheck: \(found.count) disagreement(s) between dry run and run:"]
        let keys = found.keys.sorted()
        for key in keys {
            let entry = found[key]!
            lines.append("  \(key) (\(entry.count)x, first at seed \(entry.seed))")
        }
        let shown = environment["LICMGR_PLANCHECK_SHOW"].flatMap { Int($0) } ?? Self.reproduced
        for key in keys.prefix(shown) {
            let entry = found[key]!
            lines.append("")
            lines.append(
                try Self.reproduction(
                    key: key, seed: entry.seed, state: entry.state, check: entry.check, text: entry.text))
        }
        XCTFail(lines.joined(separator: "\n"))
    }

    /// Both reports of a command, for a seed's trace.
    static func describe(_ outcome: PlanCheck.Outcome) -> String {
        var lines = ["  \(outcome.check.swift):"]
        for item in outcome.plan?.items ?? [] where item.action != .unchanged {
            lines.append(
                "    dry run: \(item.plan.map { "plan \($0.rawValue)" } ?? item.action.rawValue): \(item.detail)")
        }
        if let cost = outcome.plan?.plannedCost { lines.append("    dry run cost: \(cost)") }
        for item in outcome.run?.items ?? [] where item.action != .unchanged {
            lines.append("    run: \(item.action.rawValue): \(item.detail)")
        }
        if let spent = outcome.run?.spent { lines.append("    run spent: \(spent)") }
        for mismatch in outcome.mismatches { lines.append("    MISMATCH: \(mismatch)") }
        return lines.joined(separator: "\n")
    }

    /// A disagreement as printed: its first state cut down to the fewest events that still show
    /// it, and that as a test.
    static func reproduction(key: String, seed: UInt64, state: Workload.PlanState, check: Event, text: String) throws
        -> String
    {
        let signature = String(key.drop { $0 != ":" }.dropFirst(2))
        let (events, smallest, renamesPerRun, outcome) = try shrink(
            state.events, check, renamesPerRun: state.renamesPerRun, signature: signature)
        var lines = ["\(key): seed \(seed): \(text)"]
        lines.append("smallest state found: \(events.count) of \(state.events.count) events; there:")
        lines += outcome.mismatches.filter { $0.signature == signature }.map { "  \($0)" }
        lines.append("trace: LICMGR_PLANCHECK_SEED=\(seed) make plancheck")
        lines.append("as a test, in Tests/LicmgrSimulation/PlanMatchesRunKnownTests.swift:")
        lines.append("    func testSeed\(seed)() throws {")
        lines.append("        try assertPlanMatchesRun(")
        lines.append("            [")
        lines += events.map { "                \($0.swift)," }
        lines.append("            ],")
        lines.append(
            "            then: \(smallest.swift)\(renamesPerRun.map { ", renamesPerRun: \($0)" } ?? ""))")
        lines.append("    }")
        return lines.joined(separator: "\n")
    }

    /// Leaves out one event (then one service of the command, then the lowered cap) at a time
    /// while the disagreement stays, until nothing more can go.
    static func shrink(_ events: [Event], _ check: Event, renamesPerRun: Int?, signature: String) throws
        -> ([Event], Event, Int?, PlanCheck.Outcome)
    {
        func shows(_ events: [Event], _ check: Event, _ renamesPerRun: Int?) throws -> PlanCheck.Outcome? {
            let world = try Simulation()
            for event in events { try world.apply(event) }
            guard let outcome = try world.planThenRun(check, renamesPerRun: renamesPerRun),
                outcome.mismatches.contains(where: { $0.signature == signature })
            else { return nil }
            return outcome
        }
        var events = events
        var check = check
        var renamesPerRun = renamesPerRun
        guard var outcome = try shows(events, check, renamesPerRun) else {
            preconditionFailure("the disagreement does not show again: the simulation is not deterministic")
        }
        var shrunk = true
        while shrunk {
            shrunk = false
            // The catalogue stays: a state without it is one no provider runs, and its prices are the costs.
            for index in events.indices.reversed() where events[index] != .run(.importTariffs, .clean) {
                var fewer = events
                fewer.remove(at: index)
                if let seen = try shows(fewer, check, renamesPerRun) {
                    events = fewer
                    outcome = seen
                    shrunk = true
                }
            }
            for smaller in check.withFewerServices {
                if let seen = try shows(events, smaller, renamesPerRun) {
                    check = smaller
                    outcome = seen
                    shrunk = true
                    break
                }
            }
            if renamesPerRun != nil, let seen = try shows(events, check, nil) {
                renamesPerRun = nil
                outcome = seen
                shrunk = true
            }
        }
        return (events, check, renamesPerRun, outcome)
    }
}

extension Event {
    /// The command a check runs, for grouping disagreements.
    var commandName: String {
        switch self {
        case .run(.renewDue, _): "renew --due"
        case .run(let command, _): command.name == "service" ? "service --now (recorded)" : command.name
        case .setService: "service set --now"
        case .setStatus(_, let status, _): "service \(ServiceRegistry.verb(for: status)) --now"
        default: "?"
        }
    }

    /// The same check for one service fewer, each way there is.
    var withFewerServices: [Event] {
        func without(_ ids: [Int]) -> [[Int]] {
            ids.count < 2
                ? [] : ids.indices.map { index in ids.enumerated().filter { $0.offset != index }.map(\.element) }
        }
        switch self {
        case .run(.order(let ids), let faults): return without(ids).map { .run(.order($0), faults) }
        case .run(.renew(let ids), let faults): return without(ids).map { .run(.renew($0), faults) }
        case .run(.follow(let ids), let faults): return without(ids).map { .run(.follow($0), faults) }
        case .setStatus(let ids, let status, let now): return without(ids).map { .setStatus($0, status, now: now) }
        default: return []
        }
    }
}
