import Foundation
import LicmgrCore
import LicmgrTestSupport
import XCTest

/// Each test gets its own simulator on a random loopback port and its own workspace.
class AcceptanceTestCase: XCTestCase {
    var sim: SimServer!
    var work: Workspace!

    /// Extra simulator arguments for the whole test class.
    var simulatorArguments: [String] { [] }

    override func setUpWithError() throws {
        sim = try SimServer(arguments: simulatorArguments)
        work = try Workspace()
        try work.writeConfig(url: sim.url)
    }

    override func tearDown() {
        sim?.stop()
        sim = nil
        work = nil
    }

    /// Runs licmgr and fails the test, showing its output, if it exits otherwise than `status`.
    @discardableResult
    func licmgr(
        _ arguments: String..., input: String? = nil, expect status: Int32 = 0,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> RunResult {
        let result = try work.licmgr(arguments, input: input)
        XCTAssertEqual(
            result.status, status,
            "licmgr \(arguments.joined(separator: " "))\nstdout: \(result.stdout)\nstderr: \(result.stderr)",
            file: file, line: line)
        return result
    }

    /// Service 7 with a Lite license (10.00 a month) that expires today, attached by `fixchilds`.
    func dueLicense() throws {
        try addService(7, ip: "10.0.0.7")
        try sim.seed([
            [
                "licname": "Item #7 addon vps7", "ip": "10.0.0.7", "pricelist": "55227", "period": "1",
                "expiredate": Day(secondsSince1970: Int(Date().timeIntervalSince1970)).description,
            ]
        ])
        try licmgr("fixchilds")
    }

    func addService(_ id: Int, ip: String, addon: String = "panel=Lite", extra: [String] = []) throws {
        var arguments = ["service", "add", String(id), "--name", "vps\(id)", "--ip", ip, "--addon", addon]
        arguments += extra
        let result = try work.licmgr(arguments)
        XCTAssertEqual(result.status, 0, result.stderr)
    }
}
