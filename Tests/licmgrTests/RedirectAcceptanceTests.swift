import LicmgrTestSupport
import XCTest

/// A Url that is not the API is named as such, exit 78: a redirect with where it points (never
/// followed with the credentials), a login page as an HTML page.
final class RedirectAcceptanceTests: AcceptanceTestCase {
    override var simulatorArguments: [String] { ["--dialect", "redirects"] }

    func testAnOldPathIsNamedWithWhereItMoved() throws {
        try work.writeConfig(url: sim.base + "/manager/billmgr")
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("order", "7", expect: 78)
        XCTAssertTrue(run.stderr.contains("the remote redirected to \(sim.url): set Url to it"), run.stderr)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty, "no call reached the API")
    }

    func testASiteRootIsNamedAsAnHTMLPage() throws {
        try work.writeConfig(url: sim.base + "/")
        try addService(7, ip: "10.0.0.7")
        let run = try licmgr("checkevent", expect: 78)
        XCTAssertTrue(run.stderr.contains("answers an HTML page, not BILLmanager's API: check Url"), run.stderr)
        XCTAssertTrue(try sim.state().calls.isEmpty)
    }
}
