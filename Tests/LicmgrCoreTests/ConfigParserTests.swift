import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class ConfigParserTests: XCTestCase {
    private let path = "/etc/licmgr/licmgr.conf"

    private func parse(_ text: String) throws -> Config {
        try ConfigParser().parse(text, path: path)
    }

    /// The ConfigError `text` fails with; fails the test when it parses or throws something else.
    private func fault(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try parse(text)
            XCTFail("parsed without error: \(text)", file: file, line: line)
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    // MARK: - Directives

    func testSpendLimitTakesUpToFourDecimalsExactly() throws {
        XCTAssertEqual(try parse("SpendLimit 500").spendLimit, 5_000_000)
        XCTAssertEqual(try parse("SpendLimit 37.035").spendLimit, 370_350)
        XCTAssertEqual(try parse("SpendLimit 490.0000").spendLimit, 4_900_000)
        // A limit is the user's own: one it cannot hold exactly is refused, never rounded.
        guard case .badValue(_, 1, "SpendLimit", "1.00001", _)? = fault("SpendLimit 1.00001") else {
            return XCTFail("expected badValue")
        }
    }

    func testUrlAndUser() throws {
        let config = try parse("Url https://api.ispmanager.com/billmgr\nUser reseller@example.com\n")
        XCTAssertEqual(config.url, "https://api.ispmanager.com/billmgr")
        XCTAssertEqual(config.user, "reseller@example.com")
    }

    func testPasswordKeepsInnerBlanks() throws {
        let config = try parse("Password   my  secret\tpass   \n")
        XCTAssertEqual(config.password, "my  secret\tpass")
        XCTAssertEqual(config.passwordSource, .line(1))
    }

    func testPasswordStopsAtComment() throws {
        let config = try parse("Password my secret  # not part of it\n")
        XCTAssertEqual(config.password, "my secret")
    }

    func testPasswordFileIsRelativeToConfigDirectory() throws {
        let config = try parse("PasswordFile secret.txt\n")
        XCTAssertEqual(config.passwordSource, .file("/etc/licmgr/secret.txt"))
        XCTAssertNil(config.password)
    }

    func testDatabaseRelativeToConfigDirectory() throws {
        XCTAssertEqual(try parse("Database data/licmgr.db").database, "/etc/licmgr/data/licmgr.db")
        XCTAssertEqual(try parse("Database ../var/x.db").database, "/etc/var/x.db")
        XCTAssertEqual(try parse("Database /var/lib/x.db").database, "/var/lib/x.db")
    }

    func testHookIsAnAbsolutePathWithAnOptionalTimeout() throws {
        XCTAssertNil(try parse("").hook)
        var config = try parse("hook /usr/local/libexec/licmgr-hook")
        XCTAssertEqual(config.hook, "/usr/local/libexec/licmgr-hook")
        XCTAssertEqual(config.hookTimeout, 30)
        config = try parse("Hook /x 5")
        XCTAssertEqual(config.hookTimeout, 5)
        XCTAssertEqual(
            fault("Hook bin/hook"),
            .badValue(
                file: path, line: 1, directive: "Hook", value: "bin/hook",
                expected: "an absolute path (the hook runs from /)"))
        XCTAssertEqual(fault("Hook /x 0")?.line, 1)
        XCTAssertEqual(fault("Hook /x 601")?.line, 1)
        XCTAssertEqual(fault("Hook /x 5 6"), .extraValue(file: path, line: 1, directive: "Hook", value: "6"))
        XCTAssertEqual(fault("Hook /x\nHook /y"), .conflict(file: path, line: 2, directive: "Hook", earlierLine: 1))
        XCTAssertEqual(fault("Hook")?.line, 1)
    }

    func testMetricsFileRelativeToConfigDirectory() throws {
        XCTAssertNil(try parse("").metricsFile)
        XCTAssertEqual(try parse("MetricsFile licmgr.prom").metricsFile, "/etc/licmgr/licmgr.prom")
        XCTAssertEqual(try parse("metricsfile /var/lib/node/licmgr.prom").metricsFile, "/var/lib/node/licmgr.prom")
        XCTAssertEqual(fault("MetricsFile a b"), .extraValue(file: path, line: 1, directive: "MetricsFile", value: "b"))
    }

    func testDatabaseDefault() throws {
        XCTAssertEqual(try parse("").database, "/var/lib/licmgr/licmgr.db")
    }

    func testCAFileRelativeToConfigDirectory() throws {
        XCTAssertEqual(try parse("CAFile ca.pem").caFile, "/etc/licmgr/ca.pem")
    }

    func testLogTargets() throws {
        XCTAssertEqual(try parse("").log, .syslog)
        XCTAssertEqual(try parse("Log STDERR").log, .stderr)
        XCTAssertEqual(try parse("log none").log, .none)
        XCTAssertEqual(try parse("Log syslog").log, .syslog)
        XCTAssertEqual(try parse("Log licmgr.log").log, .file("/etc/licmgr/licmgr.log"))
        XCTAssertEqual(try parse("Log ./syslog").log, .file("/etc/licmgr/syslog"))
        XCTAssertEqual(try parse("Log /var/log/licmgr.log").log, .file("/var/log/licmgr.log"))
        guard case .conflict(_, 2, "Log", 1) = fault("Log stderr\nLog syslog") else {
            return XCTFail("a second Log line conflicts with the first")
        }
        guard case .missingValue(_, 1, "Log", _) = fault("Log") else { return XCTFail("Log needs a value") }
    }

    func testPriceLine() throws {
        let config = try parse("Price ipmgr 2891\n")
        XCTAssertEqual(config.prices, [Config.PriceRule(name: "ipmgr", tariff: 2891, line: 1)])
    }

    func testPriceWithSeveralNames() throws {
        let config = try parse("\nPrice Lite panelLite 55227\n")
        XCTAssertEqual(config.prices.map(\.name), ["Lite", "panelLite"])
        XCTAssertEqual(config.prices.map(\.tariff), [55227, 55227])
        XCTAssertEqual(config.prices.map(\.line), [2, 2])
    }

    func testPeriodThreeForms() throws {
        let config = try parse("Period 10 1815 2891\nPeriod 10 1\nPeriod ALL 1817 2891\n")
        XCTAssertEqual(
            config.periods,
            [
                Config.PeriodRule(local: 10, remote: 1815, tariff: 2891, line: 1),
                Config.PeriodRule(local: 10, remote: 1, tariff: nil, line: 2),
                Config.PeriodRule(local: nil, remote: 1817, tariff: 2891, line: 3),
            ])
    }

    func testPeriodAllIgnoresCase() throws {
        XCTAssertNil(try parse("Period all 1817 2891").periods.first?.local)
    }

    func testSamePeriodTwiceIsNoConflict() throws {
        XCTAssertEqual(try parse("Period 10 1815 2891\nPeriod 10 1815 2891\n").periods.count, 1)
    }

    func testOptionNamesIgnoreCase() throws {
        let config = try parse("Option reuselicense\nOption USEEXISTINGONUPGRADE\nOption NoFixSuspended\n")
        XCTAssertEqual(config.options, [.reUseLicense, .useExistingOnUpgrade, .noFixSuspended])
    }

    func testDirectiveNamesIgnoreCase() throws {
        let config = try parse("URL https://x.example/b\nuser bob\nrenewbefore 3\n")
        XCTAssertEqual(config.url, "https://x.example/b")
        XCTAssertEqual(config.user, "bob")
        XCTAssertEqual(config.renewBefore, 3)
    }

    func testReusePriceRepeatableAndMultiValued() throws {
        let config = try parse("ReusePrice 12 13\nReusePrice 14\nReusePrice 12\n")
        XCTAssertEqual(config.reusePackages, [12, 13, 14])
    }

    func testNumbersAndDefaults() throws {
        let defaults = try parse("")
        XCTAssertEqual(defaults.renewBefore, 1)
        XCTAssertEqual(defaults.connectTimeout, 10)
        XCTAssertEqual(defaults.timeout, 60)
        let config = try parse("RenewBefore 0\nConnectTimeout 5\nTimeout 120\n")
        XCTAssertEqual(config.renewBefore, 0)
        XCTAssertEqual(config.connectTimeout, 5)
        XCTAssertEqual(config.timeout, 120)
    }

    func testCommentsBlankLinesAndTabs() throws {
        let text = """
            # whole-line comment

            \tUrl\thttps://x.example/billmgr   # trailing comment
               # indented comment
            User\t\tbob#no blank before the comment
            Price ipmgr 2891 # 9999

            """
        let config = try parse(text)
        XCTAssertEqual(config.url, "https://x.example/billmgr")
        XCTAssertEqual(config.user, "bob")
        XCTAssertEqual(config.prices.map(\.tariff), [2891])
    }

    // MARK: - Faults

    func testUnknownDirectiveSuggestsNearest() {
        XCTAssertEqual(
            fault("\nPric ipmgr 2891\n"),
            .unknownDirective(file: path, line: 2, word: "Pric", suggestion: "Price"))
    }

    func testUnknownDirectiveFarFromAnyHasNoSuggestion() {
        XCTAssertEqual(
            fault("Xylophone 3\n"),
            .unknownDirective(file: path, line: 1, word: "Xylophone", suggestion: nil))
    }

    /// Found by measuring: the hint compared a 1 MB word with every name, letter by letter.
    func testAWordOfAMegabyteIsRefusedWithoutAHint() {
        let word = String(repeating: "x", count: 1_000_000)
        XCTAssertEqual(
            fault("User bob\n\(word) 1\n"), .unknownDirective(file: path, line: 2, word: word, suggestion: nil))
        XCTAssertEqual(
            fault("Option \(word)Lite"), .unknownOption(file: path, line: 1, word: word + "Lite", suggestion: nil))
        // The error quotes the start of such a word, not the megabyte.
        let message = ConfigError.unknownDirective(file: path, line: 2, word: word, suggestion: nil).description
        XCTAssertTrue(message.contains("unknown directive '\(String(repeating: "x", count: 60))…';"), message)
        // A typo as long as the limit allows still gets its hint: 14 letters and 4 more.
        XCTAssertEqual(
            fault("ConnectTimeoutxxxx 5"),
            .unknownDirective(file: path, line: 1, word: "ConnectTimeoutxxxx", suggestion: "ConnectTimeout"))
    }

    func testUnknownOptionSuggestsNearest() {
        XCTAssertEqual(
            fault("# c\n\nOption reuselicence\n"),
            .unknownOption(file: path, line: 3, word: "reuselicence", suggestion: "ReUseLicense"))
    }

    func testMissingValues() {
        let cases: [(String, String)] = [
            ("Url", "Url"), ("User", "User"), ("Password", "Password"), ("PasswordFile", "PasswordFile"),
            ("Database", "Database"), ("Price ipmgr", "Price"), ("Period 10", "Period"), ("Option", "Option"),
            ("ReusePrice", "ReusePrice"), ("RenewBefore", "RenewBefore"), ("Timeout", "Timeout"),
            ("Password   # only a comment", "Password"),
        ]
        for (text, directive) in cases {
            guard case .missingValue(let file, let line, let named, _)? = fault("\n" + text) else {
                XCTFail("\(text): not a missingValue")
                continue
            }
            XCTAssertEqual(file, path, text)
            XCTAssertEqual(line, 2, text)
            XCTAssertEqual(named, directive, text)
        }
    }

    func testNonNumericTariffIsBadValue() {
        guard case .badValue(_, 1, "Price", "abc", _)? = fault("Price ipmgr abc") else {
            return XCTFail("expected badValue for the tariff")
        }
    }

    func testRenewBeforeOutOfRangeIsBadValue() {
        guard case .badValue(_, 1, "RenewBefore", "9999", _)? = fault("RenewBefore 9999") else {
            return XCTFail("expected badValue")
        }
    }

    func testTimeoutZeroIsBadValue() {
        guard case .badValue(_, 1, "Timeout", "0", _)? = fault("Timeout 0") else { return XCTFail("expected badValue") }
    }

    func testUrlWithoutSchemeIsBadValue() {
        guard case .badValue(_, 1, "Url", "api.ispmanager.com/billmgr", _)? = fault("Url api.ispmanager.com/billmgr")
        else {
            return XCTFail("expected badValue")
        }
    }

    func testNonNumericReusePriceIsBadValue() {
        guard case .badValue(_, 1, "ReusePrice", "x", _)? = fault("ReusePrice 12 x") else {
            return XCTFail("expected badValue")
        }
    }

    func testExtraValues() {
        XCTAssertEqual(fault("User bob alice"), .extraValue(file: path, line: 1, directive: "User", value: "alice"))
        XCTAssertEqual(
            fault("Period 10 1815 2891 7"), .extraValue(file: path, line: 1, directive: "Period", value: "7"))
        XCTAssertEqual(fault("RenewBefore 1 2"), .extraValue(file: path, line: 1, directive: "RenewBefore", value: "2"))
        XCTAssertEqual(
            fault("Option ReUseLicense NoFixSuspended"),
            .extraValue(file: path, line: 1, directive: "Option", value: "NoFixSuspended"))
    }

    func testUrlTwiceConflicts() {
        XCTAssertEqual(
            fault("Url https://a.example/b\n# x\nUrl https://a.example/b\n"),
            .conflict(file: path, line: 3, directive: "Url", earlierLine: 1))
    }

    func testPriceSameNameOtherTariffConflicts() {
        XCTAssertEqual(
            fault("Price ipmgr 2891\nPrice IPMGR 2892\n"),
            .conflict(file: path, line: 2, directive: "Price IPMGR", earlierLine: 1))
    }

    func testPeriodSameKeyOtherRemoteConflicts() {
        XCTAssertEqual(
            fault("Period 10 1815 2891\nPeriod 10 1816 2891\n"),
            .conflict(file: path, line: 2, directive: "Period", earlierLine: 1))
    }

    func testPeriodAllWithoutTariffIsMissingValue() {
        guard case .missingValue(_, 1, "Period", _)? = fault("Period ALL 1817") else {
            return XCTFail("expected missingValue")
        }
    }

    func testPasswordWithPasswordFileConflicts() {
        XCTAssertEqual(
            fault("Password x\nPasswordFile p.txt\n"),
            .conflict(file: path, line: 2, directive: "PasswordFile", earlierLine: 1))
        XCTAssertEqual(
            fault("PasswordFile p.txt\n\nPassword x\n"),
            .conflict(file: path, line: 3, directive: "Password", earlierLine: 1))
    }

    func testErrorDescriptionsStartWithFileAndLine() {
        let errors: [ConfigError] = [
            .unknownDirective(file: "/c", line: 4, word: "Pric", suggestion: "Price"),
            .unknownOption(file: "/c", line: 4, word: "x", suggestion: nil),
            .missingValue(file: "/c", line: 4, directive: "Url", expected: "an address"),
            .badValue(file: "/c", line: 4, directive: "Url", value: "x", expected: "an address"),
            .extraValue(file: "/c", line: 4, directive: "Url", value: "x"),
            .conflict(file: "/c", line: 4, directive: "Url", earlierLine: 1),
        ]
        for error in errors {
            XCTAssertTrue(error.description.hasPrefix("/c:4: "), error.description)
        }
        XCTAssertTrue(fault("Pric 1")!.description.contains("did you mean 'Price'"))
    }

    func testExitStatusOfConfigErrors() {
        XCTAssertEqual(ExitStatus.of(ConfigError.insecure(file: "/c", mode: 0o100644)), .noPermission)
        XCTAssertEqual(ExitStatus.of(ConfigError.insecure(file: "/c", mode: 0o100644)).rawValue, 77)
        let others: [ConfigError] = [
            .unreadable(file: "/c", reason: "no such file"),
            .unknownDirective(file: "/c", line: 1, word: "x", suggestion: nil),
            .missingValue(file: "/c", line: 1, directive: "Url", expected: "x"),
            .conflict(file: "/c", line: 2, directive: "Url", earlierLine: 1),
            .missingSetting(file: "/c", directive: "Url"),
        ]
        for error in others {
            XCTAssertEqual(ExitStatus.of(error).rawValue, 78, "\(error)")
        }
    }

    // MARK: - Files

    func testMissingFileIsUnreadable() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try ConfigParser().load(path: dir.file("absent.conf"))) { error in
            guard case ConfigError.unreadable(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, dir.file("absent.conf"))
        }
    }

    func testPasswordInReadableFileIsInsecure() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "Url https://x.example/b\nUser u\nPassword s3cret\n", mode: 0o644)
        XCTAssertThrowsError(try ConfigParser().load(path: file)) { error in
            guard case ConfigError.insecure(let named, let mode) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(named, file)
            XCTAssertEqual(mode & 0o777, 0o644)
            XCTAssertFalse(error.localizedDescription.contains("s3cret"))
            XCTAssertFalse("\(error)".contains("s3cret"))
        }
    }

    func testPasswordInPrivateFileLoads() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "Url https://x.example/b\nUser u\nPassword s3cret pass\n", mode: 0o600)
        let config = try ConfigParser().load(path: file)
        XCTAssertEqual(config.password, "s3cret pass")
        XCTAssertEqual(config.passwordSource, .line(3))
        XCTAssertEqual(
            try config.credentials(), Credentials(url: "https://x.example/b", user: "u", password: "s3cret pass"))
    }

    func testReadableConfigWithoutPasswordIsFine() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "Url https://x.example/b\nUser u\n", mode: 0o644)
        XCTAssertNoThrow(try ConfigParser().load(path: file))
    }

    func testPasswordFileFirstLine() throws {
        let dir = try TemporaryDirectory()
        try dir.write("pw", "first line secret\nsecond line\n", mode: 0o600)
        let file = try dir.write("licmgr.conf", "PasswordFile pw\n", mode: 0o644)
        let config = try ConfigParser().load(path: file)
        XCTAssertEqual(config.password, "first line secret")
        XCTAssertEqual(config.passwordSource, .file(dir.file("pw")))
    }

    func testReadablePasswordFileIsInsecure() throws {
        let dir = try TemporaryDirectory()
        try dir.write("pw", "secret\n", mode: 0o640)
        let file = try dir.write("licmgr.conf", "PasswordFile pw\n", mode: 0o600)
        XCTAssertThrowsError(try ConfigParser().load(path: file)) { error in
            guard case ConfigError.insecure(let named, let mode) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(named, dir.file("pw"))
            XCTAssertEqual(mode & 0o777, 0o640)
            XCTAssertEqual(ExitStatus.of(error).rawValue, 77)
        }
    }

    func testPasswordOverrideReplacesPassword() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "Url https://x.example/b\nUser u\nPassword fromfile\n", mode: 0o600)
        let config = try ConfigParser().load(path: file, passwordOverride: "fromenv")
        XCTAssertEqual(config.password, "fromenv")
        XCTAssertEqual(config.passwordSource, .environment)
    }

    func testPasswordOverrideDoesNotExcuseReadableFile() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "Password fromfile\n", mode: 0o644)
        XCTAssertThrowsError(try ConfigParser().load(path: file, passwordOverride: "fromenv")) { error in
            guard case ConfigError.insecure = error else { return XCTFail("\(error)") }
        }
    }

    func testMissingUrlFailsCredentials() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("licmgr.conf", "User u\nPassword p\n", mode: 0o600)
        let config = try ConfigParser().load(path: file)
        XCTAssertThrowsError(try config.credentials()) { error in
            XCTAssertEqual(error as? ConfigError, .missingSetting(file: file, directive: "Url"))
        }
    }

    func testMissingPasswordFailsCredentials() throws {
        let config = try parse("Url https://x.example/b\nUser u\n")
        XCTAssertThrowsError(try config.credentials()) { error in
            guard case ConfigError.missingSetting(_, let directive)? = error as? ConfigError else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(directive.contains("Password"))
        }
    }

    func testCredentialsDescriptionHidesPassword() {
        let credentials = Credentials(url: "https://x.example/b", user: "u", password: "s3cret")
        XCTAssertFalse(credentials.description.contains("s3cret"))
        XCTAssertFalse("\(credentials)".contains("s3cret"))
    }
}
