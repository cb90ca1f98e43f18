import Foundation
import LicmgrTestSupport
import XCTest

/// licmgr links FoundationEssentials alone: full Foundation brings ICU, 36 MB of the static
/// binary (issue 12). The test build links the Swift libraries dynamically, so the binary's
/// dynamic string table names each one it needs, whole between NUL bytes; `make check-no-icu`
/// looks at the static release binary itself.
final class FoundationLinkTests: XCTestCase {
    private func needs(_ binary: Data, _ library: String) -> Bool {
        binary.range(of: Data("\0\(library)\0".utf8)) != nil
    }

    func testLicmgrNeedsFoundationEssentialsAndNeitherFoundationNorICU() throws {
        let binary = try Data(contentsOf: Products.licmgr)
        XCTAssertTrue(needs(binary, "libFoundationEssentials.so"), "not a dynamically linked licmgr binary?")
        for library in [
            "libFoundation.so", "libFoundationInternationalization.so", "lib_FoundationICU.so",
            "libFoundationNetworking.so", "libFoundationXML.so",
        ] {
            XCTAssertFalse(needs(binary, library), "licmgr links \(library), and with it ICU")
        }
    }
}
