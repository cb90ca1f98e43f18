import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class RedactionTests: XCTestCase {
    private let password = "p@ss w0rd:ü/long-enough-to-be-cut-secret"
    private var redaction: Redaction { Redaction(secret: password) }

    /// Fails if `text` holds any 6 characters in a row of the password or of its form encoding.
    private func assertNoPieceOfThePassword(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for form in [password, FormEncoding.escape(password)] {
            let characters = Array(form)
            for start in 0...(characters.count - 6) {
                let piece = String(characters[start..<start + 6])
                XCTAssertFalse(text.contains(piece), "'\(piece)' in \(text)", file: file, line: line)
            }
        }
    }

    func testEveryEncodingOfTheSecretIsBlanked() throws {
        let escaped = FormEncoding.escape(password)
        let json = String(decoding: try JSONSerialization.data(withJSONObject: [password]), as: UTF8.self)
        let forms = [
            password, escaped, escaped.lowercased(), escaped.replacingOccurrences(of: "%20", with: "+"),
            escaped.lowercased().replacingOccurrences(of: "%20", with: "+"),
            // Encoders differ in what they leave alone.
            password.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "",
            String(json.dropFirst(2).dropLast(2)),
            #"p@ss w0rd:\u00FC\/long-enough-to-be-cut-secret"#, #"p@ss w0rd:\u00fc/long-enough-to-be-cut-secret"#,
        ]
        XCTAssertEqual(Set(forms).count, forms.count, "each form differs")
        for form in forms {
            let blanked = redaction.apply("before \(form) after")
            XCTAssertEqual(blanked, "before ******** after", form)
        }
    }

    func testTextWithoutTheSecretIsKept() {
        let text = "ключ: p@ss w0rd is not the password; 100% sure\\u00fc"
        XCTAssertEqual(redaction.apply(text), text)
        XCTAssertEqual(Redaction().apply(text), text)
    }

    func testSecretOutsideTheBMPAsAJSONSurrogatePair() {
        let redaction = Redaction(secret: "key🔑key")
        XCTAssertEqual(redaction.apply(#"x key\ud83d\udd11key y"#), "x ******** y")
        XCTAssertEqual(redaction.apply("x key%F0%9F%94%91key y"), "x ******** y")
    }

    func testAFieldValueIsBlankedToItsEndEvenWhenCutShort() {
        let redaction = Redaction(secret: password, field: "authinfo")
        let cut = "func=soft&authinfo=bob%40example.com%3A" + FormEncoding.escape(password).prefix(12)
        XCTAssertEqual(redaction.apply(cut + "</pre>"), "func=soft&authinfo=********</pre>")
        XCTAssertEqual(redaction.apply(cut + "&out=json"), "func=soft&authinfo=********&out=json")
    }

    /// The preview of a page is cut at 60 characters: what is cut must already be blanked.
    func testAPreviewCutInsideTheSecretShowsNoPartOfIt() {
        for form in [password, FormEncoding.escape(password)] {
            for offset in stride(from: 30, through: 62, by: 4) {
                let body = String(repeating: "x", count: offset) + form + String(repeating: " tail", count: 10)
                do {
                    _ = try DocNode.parse(Data(body.utf8), function: "soft", redacting: redaction)
                    XCTFail("parsed")
                } catch {
                    assertNoPieceOfThePassword(error.description)
                    XCTAssertTrue(error.description.contains("starts '"), error.description)
                }
            }
        }
    }
}
