import Foundation
import XCTest

/// The engine under random fault schedules (issue 18): each seed draws a schedule
/// (`Workload`), `Simulation` runs it against the model of the remote and checks the
/// invariants after every run and at quiescence. `make test` runs `boundedSeeds` of them;
/// `make simtest SEEDS=N` as many as asked (`LICMGR_SIM_SEEDS`, from `LICMGR_SIM_FIRST_SEED`),
/// and `LICMGR_SIM_SEED=N` one, with its trace. A failing seed prints itself, the shortest
/// prefix of its schedule that still fails, and that prefix as a regression test to paste.
final class SimulationTests: XCTestCase {
    /// About a minute on the project's two-core machines.
    static let boundedSeeds = 500

    func testRandomSchedulesKeepEveryPromise() throws {
        let environment = ProcessInfo.processInfo.environment
        let single = environment["LICMGR_SIM_SEED"].flatMap { UInt64($0) }
        let count = single == nil ? environment["LICMGR_SIM_SEEDS"].flatMap { Int($0) } ?? Self.boundedSeeds : 1
        let first = single ?? environment["LICMGR_SIM_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
        var totals = Simulation.Outcome()
        var steps = 0
        var seeds = 0
        let started = Date()
        for seed in first..<(first + UInt64(count)) {
            let schedule = Workload.schedule(seed: seed)
            let outcome = try Simulation.run(schedule, verbose: single != nil)
            if single != nil { print(outcome.trace.joined(separator: "\n")) }
            seeds += 1
            steps += schedule.count
            totals.merge(outcome)
            if !outcome.violations.isEmpty {
                XCTFail(try Self.reproduction(seed: seed, schedule: schedule, outcome: outcome))
                break
            }
        }
        let seconds = max(Date().timeIntervalSince(started), 0.001)
        func list(_ counts: [String: Int]) -> String {
            counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", ")
        }
        print(
            "simulation: \(seeds) seeds from \(first) (\(steps) scheduled steps, \(totals.runs) runs, "
                + "\(totals.remoteCalls) remote calls, \(totals.kills) kills) in \(String(format: "%.1f", seconds)) s, "
                + "\(String(format: "%.2f", Double(seeds) / seconds)) seeds/s\n"
                + "simulation: faults injected: \(list(totals.faults))\nsimulation: the engine did: \(list(totals.actions))"
        )
    }

    /// What a failing seed prints: itself, the shortest failing prefix, and that prefix as a test.
    static func reproduction(seed: UInt64, schedule: [Event], outcome: Simulation.Outcome) throws -> String {
        let (prefix, shortened) = try Simulation.shortestFailingPrefix(of: schedule)
        var lines = ["simulation seed \(seed) broke a promise:"]
        lines += outcome.violations.prefix(10).map { "  \($0)" }
        lines.append("shortest failing prefix: \(prefix.count) of \(schedule.count) steps; it breaks:")
        lines += shortened.violations.prefix(10).map { "  \($0)" }
        lines.append("trace: LICMGR_SIM_SEED=\(seed) make simtest")
        lines.append("as a regression test, in Tests/LicmgrSimulation/SimulationRegressionTests.swift:")
        lines.append("    func testSeed\(seed)() throws {")
        lines.append("        try assertKeepsEveryPromise([")
        lines += prefix.map { "            \($0.swift)," }
        lines.append("        ])")
        lines.append("    }")
        return lines.joined(separator: "\n")
    }
}

extension Simulation.Outcome {
    mutating func merge(_ other: Simulation.Outcome) {
        violations += other.violations
        runs += other.runs
        kills += other.kills
        remoteCalls += other.remoteCalls
        faults.merge(other.faults, uniquingKeysWith: +)
        actions.merge(other.actions, uniquingKeysWith: +)
    }
}

extension Simulation {
    /// The shortest prefix of a failing schedule that still fails, by bisection: the empty
    /// schedule keeps every promise, the whole one does not.
    static func shortestFailingPrefix(of schedule: [Event]) throws -> ([Event], Outcome) {
        var passing = 0
        var failing = schedule.count
        var outcome = try run(schedule)
        while failing - passing > 1 {
            let middle = (passing + failing) / 2
            let tried = try run(Array(schedule.prefix(middle)))
            if tried.violations.isEmpty {
                passing = middle
            } else {
                failing = middle
                outcome = tried
            }
        }
        return (Array(schedule.prefix(failing)), outcome)
    }
}
