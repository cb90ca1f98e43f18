import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

/// A test with a fresh SQLite store in a temporary directory of its own, gone after each test.
class StoreTestCase: XCTestCase {
    var dir: TemporaryDirectory!
    var store: SQLiteStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = try TemporaryDirectory()
        store = try SQLiteStore(path: dir.file("licmgr.db"))
    }

    override func tearDown() {
        store = nil
        dir = nil
        super.tearDown()
    }
}
