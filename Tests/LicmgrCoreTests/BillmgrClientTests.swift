import Foundation
import LicmgrTestSupport
import XCTest

@testable import LicmgrCore

final class BillmgrClientTests: XCTestCase {
    private let password = "p@ss:w&rd=1 x%"
    private var transport: ScriptedTransport!
    private var client: BillmgrClient!

    override func setUp() {
        super.setUp()
        transport = ScriptedTransport()
        client = BillmgrClient(
            credentials: Credentials(
                url: "https://billing.example/billmgr", user: "bob@example.com", password: password),
            transport: transport, pageSize: 2, maxPages: 50)
    }

    private var request: OrderRequest {
        OrderRequest(pricelist: 55227, period: 1, ip: "192.0.2.7", name: "Item #7 addon vps7", remoteID: "lm-test-1")
    }

    /// The RemoteError `body` (answered with `status`) makes `call` throw.
    private func callError(_ body: String, status: Int = 200, file: StaticString = #filePath, line: UInt = #line)
        -> RemoteError?
    {
        transport.enqueue(.body(body, status: status))
        do {
            _ = try client.call("soft.suspend", [("elid", "1")])
            XCTFail("no error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Requests

    func testFormCarriesProtocolFieldsAndCredentials() throws {
        transport.enqueue(.body(BillmgrJSON.doc(["id": "100001"])))
        _ = try client.order(request)
        let sent = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(sent.url, "https://billing.example/billmgr")
        XCTAssertEqual(sent.function, "soft.order.param")
        XCTAssertEqual(sent.form["func"], "soft.order.param")
        XCTAssertEqual(sent.form["out"], "json")
        XCTAssertEqual(sent.form["authinfo"], "bob@example.com:" + password)
        XCTAssertEqual(sent.form["autoprolong"], "null")
        XCTAssertEqual(sent.form["remoteid"], "lm-test-1")
        XCTAssertEqual(sent.form["sok"], "ok")
        XCTAssertEqual(sent.form["pricelist"], "55227")
        XCTAssertEqual(sent.form["period"], "1")
        XCTAssertEqual(sent.form["ip"], "192.0.2.7")
        XCTAssertEqual(sent.form["licname"], "Item #7 addon vps7")
        XCTAssertEqual(sent.form["skipbasket"], "on")
        XCTAssertEqual(sent.form["clicked_button"], "finish")
    }

    func testPasswordIsEscapedInTheBody() throws {
        transport.enqueue(.body(BillmgrJSON.ok))
        try client.suspend(license: 1, line: .soft)
        let body = try XCTUnwrap(transport.requests.first?.body)
        XCTAssertFalse(body.contains(password))
        XCTAssertFalse(body.contains(" "))
        XCTAssertEqual(body.components(separatedBy: "&").filter { $0.hasPrefix("authinfo=") }.count, 1)
    }

    // MARK: - Errors

    func testAuthErrorIsAuthRefused() {
        let error = callError(
            BillmgrJSON.error(type: "auth", object: "badpassword", message: "Invalid username or password"))
        XCTAssertEqual(error, .authRefused(message: "Invalid username or password"))
        XCTAssertEqual(error.map { ExitStatus.of($0) }?.rawValue, 77)
    }

    func testOtherErrorTypesAreRefused() {
        XCTAssertEqual(
            callError(BillmgrJSON.error(type: "value", object: "elid", message: "no such license")),
            .refused(function: "soft.suspend", type: "value", object: "elid", message: "no such license"))
        XCTAssertEqual(
            callError(BillmgrJSON.error(type: "exists", message: "a license with the same IP address already exists")),
            .refused(
                function: "soft.suspend", type: "exists", object: nil,
                message: "a license with the same IP address already exists"))
    }

    func testErrorsAsAnArrayAreReadByTheFirst() {
        XCTAssertEqual(
            callError(
                #"{"doc": {"error": [{"$type": "not_enough_money", "msg": {"$": "Not enough money"}}, {"$type": "value"}]}}"#
            ),
            .refused(function: "soft.suspend", type: "not_enough_money", object: nil, message: "Not enough money"))
    }

    /// BILLmanager's refusal for lack of funds, as the vendor's knowledge base shows it: the
    /// `param`s come as an array, or one object when there is only one.
    func testALackOfFundsRefusalKeepsItsParams() {
        let many = #"""
            {"doc": {"error": {"$type": "not_enough_money", "$lang": "en", "$code": "1",
              "param": [{"$name": "amount", "$": "12.3400"}, {"$name": "have", "$": "3.00"},
                        {"$name": "currency", "$": "EUR"}, {"$name": "empty"}],
              "msg": {"$": "insufficient funds to complete the operation"}}}}
            """#
        let error = callError(many)
        XCTAssertEqual(
            error,
            .refused(
                function: "soft.suspend", type: "not_enough_money", object: nil,
                message: "insufficient funds to complete the operation",
                params: ["amount": "12.3400", "have": "3.00", "currency": "EUR"]))
        XCTAssertEqual(error?.isLackOfFunds, true)
        let one = #"{"doc": {"error": {"$type": "not_enough_money", "param": {"$name": "amount", "$": "0.1048"}}}}"#
        guard case .refused(_, _, _, _, let params)? = callError(one) else { return XCTFail("not a refusal") }
        XCTAssertEqual(params, ["amount": "0.1048"])
    }

    func testBothFundsRefusalTypesAreLackOfFunds() {
        for (type, lack) in [("not_enough_money", true), ("account", true), ("value", false), ("access", false)] {
            XCTAssertEqual(
                RemoteError.refused(function: "f", type: type, object: nil, message: "m").isLackOfFunds, lack, type)
        }
        XCTAssertFalse(RemoteError.timedOut(function: "f", seconds: 1).isLackOfFunds)
    }

    func testErrorWithoutMessageOrType() {
        XCTAssertEqual(
            callError(#"{"doc": {"error": {}}}"#),
            .refused(function: "soft.suspend", type: "unknown", object: nil, message: "no message"))
    }

    func testHTTP500IsServerFailure() {
        XCTAssertEqual(callError("oops", status: 500), .serverFailure(function: "soft.suspend", status: 500))
        XCTAssertEqual(callError(BillmgrJSON.ok, status: 503), .serverFailure(function: "soft.suspend", status: 503))
    }

    func testHTTP404IsNotProtocol() {
        guard case .notProtocol(let function, let detail)? = callError(BillmgrJSON.ok, status: 404) else {
            return XCTFail("expected notProtocol")
        }
        XCTAssertEqual(function, "soft.suspend")
        XCTAssertTrue(detail.contains("404"), detail)
    }

    func testNonJSONIsNotProtocol() {
        guard case .notProtocol? = callError("<html>login</html>") else { return XCTFail("expected notProtocol") }
    }

    /// A 30x is the web server moving the Url: named with where it points, never followed.
    func testRedirectIsAWrongUrlNamingTheLocation() {
        transport.enqueue(
            .reply(HTTPReply(status: 302, body: Data(), location: "https://billing.example/new", contentType: nil)))
        XCTAssertThrowsError(try client.call("soft")) { error in
            XCTAssertEqual(
                error as? RemoteError,
                .redirected(url: "https://billing.example/billmgr", location: "https://billing.example/new"))
            XCTAssertEqual(
                "\(error)",
                "the remote redirected to https://billing.example/new: set Url to it (it is https://billing.example/billmgr; redirects are not followed)"
            )
            XCTAssertEqual(ExitStatus.of(error), .config)
            XCTAssertFalse((error as? RemoteError)?.isInDoubt ?? true)
        }
        XCTAssertEqual(
            transport.requests.map(\.url), ["https://billing.example/billmgr"], "nothing went to the Location")
    }

    /// A login page is a site, not the API; other HTML (a proxy's error page) stays a protocol fault.
    func testLoginPageIsAWrongUrlButOtherHTMLIsNotProtocol() {
        let login = #"<html><form action="/billmgr"><input type="password" name="password"></form></html>"#
        transport.enqueue(
            .reply(HTTPReply(status: 200, body: Data(login.utf8), contentType: "text/html; charset=utf-8")))
        XCTAssertThrowsError(try client.call("soft")) { error in
            XCTAssertEqual(
                "\(error)", "https://billing.example/billmgr answers an HTML page, not BILLmanager's API: check Url")
            XCTAssertEqual(ExitStatus.of(error), .config)
        }
        guard case .notProtocol? = callError("<html><body>502 Bad Gateway</body></html>") else {
            return XCTFail("expected notProtocol")
        }
    }

    func testTransportErrorsPassThrough() {
        transport.enqueue(.failure(.answerLost(function: "soft.order.param", detail: "reset")))
        XCTAssertThrowsError(try client.order(request)) { error in
            XCTAssertEqual(error as? RemoteError, .answerLost(function: "soft.order.param", detail: "reset"))
        }
    }

    func testPasswordNeverInThrownErrors() {
        var errors: [RemoteError] = []
        let bodies: [(String, Int)] = [
            (BillmgrJSON.error(type: "auth", message: "Invalid username or password"), 200),
            (BillmgrJSON.error(type: "value", object: "elid", message: "bad"), 200),
            ("oops", 500), ("not found", 404), ("<html>", 200), (#"{"nodoc": 1}"#, 200),
        ]
        for (body, status) in bodies {
            if let error = callError(body, status: status) { errors.append(error) }
        }
        transport.enqueue(.body(BillmgrJSON.ok))
        do {
            _ = try client.order(request)
        } catch {
            errors.append(error)
        }
        XCTAssertEqual(errors.count, bodies.count + 1)
        for error in errors {
            XCTAssertFalse(error.description.contains(password), error.description)
            XCTAssertFalse(error.description.contains("p@ss"), error.description)
            XCTAssertFalse(String(reflecting: error).contains("p@ss"), String(reflecting: error))
        }
    }

    // MARK: - Order

    func testOrderReadsId() throws {
        transport.enqueue(.body(BillmgrJSON.doc(["id": "100001"])))
        XCTAssertEqual(try client.order(request), 100001)
    }

    /// An order of a tariff that counts nodes carries each count as `addon_<id>`.
    func testOrderCarriesAddonCounts() throws {
        transport.enqueue(.body(#"{"doc": {"id": {"$": "9"}}}"#))
        var business = request
        business.pricelist = 55230
        business.addons = [OrderRequest.AddonCount(id: 55236, count: 2)]
        XCTAssertEqual(try client.order(business), 9)
        XCTAssertEqual(transport.requests.first?.form["addon_55236"], "2")
    }

    /// `pricelist.export` lists a tariff's counted parts as `addon` with `addonmin`.
    func testCatalogueReadsAddonsWithTheirMinimum() throws {
        transport.enqueue(
            .body(
                #"{"doc": {"pricelist": [{"id": {"$": "55230"}, "name": {"$": "ISPmanager 6 Business"}, "price": {"$currency": "EUR", "period": {"$type": "month", "$length": "1", "$cost": "60.0000"}}, "addon": {"id": {"$": "55236"}, "name": {"$": "Nodes"}, "addonmin": {"$": "1"}, "addonmax": {"$": "100"}}}, {"id": {"$": "55227"}, "name": {"$": "Lite"}, "addon": [{"$id": "7", "$addonmin": "2"}, {"name": {"$": "no id"}}]}]}}"#
            ))
        let tariffs = try client.exportTariffs()
        XCTAssertEqual(
            tariffs.map(\.addons),
            [
                [Tariff.Addon(id: 55236, name: "Nodes", minimum: 1, maximum: 100)], [Tariff.Addon(id: 7, minimum: 2)],
            ])
    }

    func testOrderReadsItemId() throws {
        transport.enqueue(.body(BillmgrJSON.doc(["item.id": "100002"])))
        XCTAssertEqual(try client.order(request), 100002)
    }

    func testOrderReadsIdWithBlanksOrNestedButNeverZero() throws {
        transport.enqueue(.body(BillmgrJSON.doc(["id": " 100003 "])))
        XCTAssertEqual(try client.order(request), 100003)
        transport.enqueue(.body(#"{"doc": {"ok": {}, "doc": {"item.id": {"$": "100004"}}}}"#))
        XCTAssertEqual(try client.order(request), 100004)
        transport.enqueue(.body(BillmgrJSON.doc(["id": "0"])))
        XCTAssertThrowsError(try client.order(request)) { error in
            XCTAssertTrue((error as? RemoteError)?.isInDoubt == true, "\(error)")
        }
        transport.enqueue(.body(BillmgrJSON.doc(["elid": "100005"])))
        XCTAssertThrowsError(try client.order(request), "an elid may name the order, not the license")
    }

    func testOrderWithoutIdIsNotProtocol() {
        transport.enqueue(.body(BillmgrJSON.ok))
        XCTAssertThrowsError(try client.order(request)) { error in
            guard case .notProtocol(let function, _)? = error as? RemoteError else { return XCTFail("\(error)") }
            XCTAssertEqual(function, "soft.order.param")
            XCTAssertTrue((error as! RemoteError).isInDoubt)
        }
    }

    /// A change goes out at most once, on a connection of its own; a read may be resent on a
    /// fresh one when a kept one proves dead. Alone or in a batch.
    func testOnlyReadsMayBeSentTwice() throws {
        transport.respond(to: "soft.edit") { _ in .body(BillmgrJSON.doc(["id": "1", "status": "2", "lickey": "k"])) }
        transport.respond(to: "soft.suspend") { _ in .body(BillmgrJSON.ok) }
        _ = try client.viewLicense(1, line: .soft)
        try client.suspend(license: 1, line: .soft)
        try client.perform(
            [.view(license: 1, line: .soft), .suspend(license: 1, line: .soft), .view(license: 2, line: .soft)],
            parallel: 2
        ) { _, answer in _ = try answer.get() }
        XCTAssertEqual(transport.requests.map(\.once), [false, true, false, true, false])
    }

    // MARK: - Listing

    private static func rows(_ ids: ClosedRange<Int>) -> [[String: Any]] {
        ids.map { BillmgrJSON.licenseRow(id: $0, ip: "192.0.2.\($0)") }
    }

    func testPagingReadsEveryPage() throws {
        let all = Self.rows(1...5)
        // Page n (from 1) of 2 rows, as the server would cut it; beyond the end, no rows.
        let pages: [String] = stride(from: 0, to: 8, by: 2).map { start in
            BillmgrJSON.licensePage(Array(all[min(start, all.count)..<min(start + 2, all.count)]), total: all.count)
        }
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            XCTAssertEqual(request.form["p_cnt"], "2")
            return .body(pages[min(max(page, 1), pages.count) - 1])
        }
        let licenses = try client.listLicenses()
        XCTAssertEqual(licenses.map(\.id), [1, 2, 3, 4, 5])
        XCTAssertEqual(transport.requests(for: "soft").map { $0.form["p_num"] }, ["1", "2", "3"])
        XCTAssertEqual(transport.requests(for: "soft").map { $0.form["p_cnt"] }, ["2", "2", "2"])
    }

    /// Reads `client.listLicenses()` expecting `incompleteListing`.
    private func assertIncomplete(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try client.listLicenses(), file: file, line: line) { error in
            guard case .incompleteListing("soft", _)? = error as? RemoteError else {
                return XCTFail("\(error)", file: file, line: line)
            }
            XCTAssertEqual(ExitStatus.of(error), .temporary, file: file, line: line)
        }
    }

    func testServerIgnoringPageNumberIsNotWhole() throws {
        let firstTwo = BillmgrJSON.licensePage(Self.rows(1...2), total: 5)
        transport.respond(to: "soft") { _ in .body(firstTwo) }
        assertIncomplete()
        // Two pages a read, and one read again.
        XCTAssertEqual(transport.requests.count, 4)
    }

    func testPagingIsBoundedByMaxPages() throws {
        client.maxPages = 4
        transport.respond(to: "soft") { request in
            // Fresh full pages forever, and a total that is never reached.
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(BillmgrJSON.licensePage(Self.rows((page * 2 - 1)...(page * 2)), total: 1000))
        }
        assertIncomplete()
        XCTAssertEqual(transport.requests.count, 8)
    }

    /// The pages a total promised were counted by adding the page size to it first: a p_elems
    /// of Int.max overflowed and killed the listing (Tests/Fuzz/corpus/remote/p-elems-of-int-max.json).
    func testATotalAsLargeAsAnIntIsNotWhole() throws {
        let answer =
            #"{"doc":{"p_elems":{"$":"9223372036854775807"},"p_cnt":{"$":"1"},"elem":{"id":{"$":"1"},"status":{"$":"2"}}}}"#
        transport.respond(to: "soft") { _ in .body(answer) }
        assertIncomplete()
    }

    /// A remote that caps pages at `cap` rows without saying so and counts in p_elems only the
    /// rows of the page, over `rows`; `shortOnce` cuts that page short the first time it is read.
    private func countPages(_ rows: ClosedRange<Int>, cap: Int, shortOnce: Int? = nil) {
        let transport = self.transport!
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            let all = Self.rows(rows)
            let start = min((page - 1) * cap, all.count)
            var slice = Array(all[start..<min(start + cap, all.count)])
            let reads = transport.requests(for: "soft").filter { $0.form["p_num"] == String(page) }.count
            if page == shortOnce && reads == 1 { slice = slice.dropLast() }
            return .body(BillmgrJSON.licensePage(slice, total: slice.count))
        }
    }

    /// A p_elems that counts the page proves nothing: the list is read to a short page, then
    /// read again, and taken when both reads agree.
    func testTotalCountingThePageIsProvenByASecondRead() throws {
        countPages(1...5, cap: 2)
        XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2, 3, 4, 5])
        XCTAssertEqual(
            transport.requests(for: "soft").map { $0.form["p_num"] ?? "" }, ["1", "2", "3", "1", "2", "3"])
        XCTAssertEqual(client.pagingOddities.map(\.kind), [.notTotal])
        XCTAssertTrue(client.pagingOddities[0].description.contains("reading every page twice"))
    }

    /// The same remote asked for more rows than it sends: its first page looks like a whole
    /// short list, so a page after it is read before the list is believed.
    func testSilentCapWithATotalOfThePageIsNotTakenForTheWholeList() throws {
        client.pageSize = 500
        countPages(1...7, cap: 3)
        XCTAssertEqual(try client.listLicenses().map(\.id), Array(1...7))
        XCTAssertEqual(client.pagingOddities.count, 1)
    }

    /// One page short once: the two reads differ, and the listing fails without a third read.
    func testSecondReadThatDiffersIsNotWholeAndNotReadAgain() throws {
        countPages(1...5, cap: 2, shortOnce: 2)
        assertIncomplete()
        XCTAssertEqual(transport.requests(for: "soft").map { $0.form["p_num"] ?? "" }, ["1", "2", "1", "2"])
    }

    /// A list that moved between two pages shows rows of one page again among new ones.
    func testPageRepeatingSomeRowsIsNotWhole() throws {
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            let first = page == 2 ? 2 : 1
            return .body(BillmgrJSON.licensePage(Self.rows(first...(first + 1)), total: 2))
        }
        assertIncomplete()
    }

    /// Fresh pages without end, whatever p_elems says, stop at `maxPages`.
    func testTotalCountingEndlessPagesIsBoundedByMaxPages() throws {
        client.maxPages = 6
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(BillmgrJSON.licensePage(Self.rows((page * 2 - 1)...(page * 2)), total: 2))
        }
        assertIncomplete()
        XCTAssertEqual(transport.requests.count, 6, "a read that p_elems cannot prove is not tried again")
    }

    /// A list that is exactly one full page costs one more page, which must add nothing.
    func testFullLastPageIsReadPastOnce() throws {
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(BillmgrJSON.licensePage(page == 1 ? Self.rows(1...2) : [], total: 2))
        }
        XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2])
        XCTAssertEqual(transport.requests.count, 2)
    }

    /// A list of whole pages whose total is more than a page: the total is the list's, so the
    /// page after the last is not read; the pages after the first may be read in parallel.
    func testListOfWholePagesLargerThanAPageCostsItsPagesOnly() throws {
        for parallel in [1, 4] {
            transport = ScriptedTransport()
            client.transport = transport
            client.parallel = parallel
            transport.respond(to: "soft") { request in
                let page = Int(request.form["p_num"] ?? "") ?? 0
                return .body(BillmgrJSON.licensePage(page <= 3 ? Self.rows((page * 2 - 1)...(page * 2)) : [], total: 6))
            }
            XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2, 3, 4, 5, 6], "Parallel \(parallel)")
            XCTAssertEqual(
                transport.requests(for: "soft").map { $0.form["p_num"] }, ["1", "2", "3"], "Parallel \(parallel)")
        }
    }

    /// Pages read ahead in parallel are checked as strictly as pages read one by one.
    func testPagesReadAheadThatShiftAreNotWhole() throws {
        client.parallel = 4
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            // Page 3 repeats a row of page 2, as a list that shifted under the read would.
            let first = page == 3 ? 4 : page * 2 - 1
            return .body(BillmgrJSON.licensePage(Self.rows(first...(first + 1)), total: 6))
        }
        assertIncomplete()
    }

    func testShortPageBeforeTheTotalIsNotWhole() throws {
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(BillmgrJSON.licensePage(page == 1 ? Self.rows(1...2) : Self.rows(3...3), total: 5))
        }
        assertIncomplete()
    }

    func testTotalChangingBetweenPagesIsReadAgain() throws {
        let transport = self.transport!
        @Sendable func reads() -> Int { transport.requests(for: "soft").filter { $0.form["p_num"] == "1" }.count }
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            let reads = reads()
            // The first read sees a license added between its pages; the second is calm.
            let total = reads == 1 && page == 2 ? 4 : 3
            return .body(BillmgrJSON.licensePage(page == 1 ? Self.rows(1...2) : Self.rows(3...3), total: total))
        }
        XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2, 3])
        XCTAssertEqual(reads(), 2)
    }

    /// A remote that gives fewer rows a page than asked, without saying so, is read page by page.
    func testSilentPageCapIsLearntFromTheFirstPage() throws {
        client.pageSize = 500
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            let rows = Self.rows(1...5)
            let start = min((page - 1) * 2, rows.count)
            return .body(BillmgrJSON.licensePage(Array(rows[start..<min(start + 2, rows.count)]), total: 5))
        }
        XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2, 3, 4, 5])
        XCTAssertEqual(transport.requests.count, 3)
    }

    /// Without p_elems, one page short of a page size the remote states is the whole list.
    func testMissingTotalTrustsOneShortPageOfAStatedSize() throws {
        transport.enqueue(.body(BillmgrJSON.licensePage(Self.rows(1...1), total: nil, pageSize: 2)), for: "soft")
        XCTAssertEqual(try client.listLicenses().map(\.id), [1])
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertEqual(client.pagingOddities, [])
    }

    /// Without p_elems, pages are read to the end and read again.
    func testMissingTotalIsProvenByASecondRead() throws {
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(
                BillmgrJSON.licensePage(page == 1 ? Self.rows(1...2) : page == 2 ? Self.rows(3...3) : [], total: nil))
        }
        XCTAssertEqual(try client.listLicenses().map(\.id), [1, 2, 3])
        XCTAssertEqual(transport.requests.count, 4)
        XCTAssertEqual(client.pagingOddities.map(\.kind), [.absent])
    }

    /// Without p_elems, a remote that ignores p_num or whose pages never end fails the read.
    func testMissingTotalWithPagesThatRepeatOrNeverEndIsNotWhole() throws {
        transport.respond(to: "soft") { _ in .body(BillmgrJSON.licensePage(Self.rows(1...2), total: nil)) }
        assertIncomplete()
        transport.respond(to: "soft") { request in
            let page = Int(request.form["p_num"] ?? "") ?? 0
            return .body(BillmgrJSON.licensePage(Self.rows((page * 2 - 1)...(page * 2)), total: nil))
        }
        assertIncomplete()
    }

    func testSingleLicenseAsObject() throws {
        transport.enqueue(
            .body(
                BillmgrJSON.licensePage(
                    [
                        BillmgrJSON.licenseRow(
                            id: 100001, name: "Item #7 addon vps7", ip: "192.0.2.7", pricelist: 2891, period: 1815,
                            status: 3, expires: "2030-05-06", remoteID: "lm-abc")
                    ],
                    total: 1, singleAsObject: true, pageSize: 2)), for: "soft")
        let licenses = try client.listLicenses()
        XCTAssertEqual(licenses.count, 1)
        let license = try XCTUnwrap(licenses.first)
        XCTAssertEqual(license.id, 100001)
        XCTAssertEqual(license.name, "Item #7 addon vps7")
        XCTAssertEqual(license.ip, "192.0.2.7")
        XCTAssertEqual(license.pricelist, 2891)
        XCTAssertEqual(license.period, 1815)
        XCTAssertEqual(license.status, .suspended)
        XCTAssertEqual(license.expires, Day(year: 2030, month: 5, day: 6))
        XCTAssertEqual(license.remoteID, "lm-abc")
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testEmptyListHasNoElem() throws {
        transport.enqueue(.body(BillmgrJSON.licensePage([], total: 0)))
        XCTAssertEqual(try client.listLicenses(), [])
    }

    func testRowWithoutIdIsNotProtocol() {
        transport.enqueue(.body(#"{"doc": {"elem": {"licname": {"$": "x"}}}}"#))
        XCTAssertThrowsError(try client.listLicenses()) { error in
            guard case .notProtocol("soft", _)? = error as? RemoteError else { return XCTFail("\(error)") }
        }
    }

    // MARK: - Other calls

    func testProlongReadsNestedExpiry() throws {
        transport.enqueue(.body(#"{"doc": {"doc": {"newexpiredate": {"$": "2031-02-03"}}}}"#))
        XCTAssertEqual(try client.prolong(license: 5, period: 12), Day(year: 2031, month: 2, day: 3))
        XCTAssertEqual(transport.requests.first?.form["elid"], "5")
        XCTAssertEqual(transport.requests.first?.form["period"], "12")
        XCTAssertEqual(transport.requests.first?.form["sok"], "ok")
    }

    /// A year's id was derived in months even when the period had one: a length beyond
    /// Int.max / 12 overflowed and killed `import-tariffs`, and a period of a million years
    /// would have killed the renewal that reckons a term with it
    /// (Tests/Fuzz/corpus/remote/period-lengths-beyond-reckoning.json).
    func testPeriodsTooLongToReckonWithAreLeftOut() throws {
        let periods = [
            #"{"$type":"year","$length":"999999999999999999"}"#, #"{"$type":"year","$length":"1000000","$":"36"}"#,
            #"{"$type":"day","$length":"-999999999999999999","$":"-50"}"#, #"{"$type":"year","$length":"2"}"#,
        ]
        let pricelist = #"{"id":{"$":"7"},"price":{"period":["# + periods.joined(separator: ",") + "]}}"
        transport.enqueue(.body(#"{"doc":{"pricelist":"# + pricelist + "}}"))
        let tariffs = try client.exportTariffs()
        XCTAssertEqual(tariffs.map(\.id), [7])
        XCTAssertEqual(tariffs.first?.periods, [Tariff.Period(id: 24, type: "year", length: 2, cost: "")])
    }

    /// The renewal is done whatever its answer's date says: one not understood is no date, and
    /// a view settles the expiry.
    func testProlongReadsAnExpiryInAnyShapeItKnows() throws {
        transport.enqueue(.body(#"{"doc": {"newexpiredate": {"$": "2031-02-03T00:00:00"}}}"#))
        XCTAssertEqual(try client.prolong(license: 5, period: 12), Day(year: 2031, month: 2, day: 3))
        transport.enqueue(.body(#"{"doc": {"doc": {"newexpiredate": {"$": "03.02.2031"}}}}"#))
        XCTAssertEqual(try client.prolong(license: 5, period: 12), Day(year: 2031, month: 2, day: 3))
        transport.enqueue(.body(#"{"doc": {"doc": {"newexpiredate": {"$": "soon"}}}}"#))
        XCTAssertNil(try client.prolong(license: 5, period: 12))
    }

    func testProlongAnsweredOkHasNoExpiry() throws {
        transport.enqueue(.body(BillmgrJSON.ok))
        XCTAssertNil(try client.prolong(license: 5, period: 1))
    }

    func testViewLicenseReadsKeyAndChangeDates() throws {
        transport.enqueue(
            .body(
                BillmgrJSON.doc([
                    "licname": "free.lic", "ip": "0.0.0.0", "pricelist": "55227", "status": "2", "lickey": "ABC",
                    "ip_change_date": "2024-02-03", "lickey_change_date": "2024-03-04",
                ])))
        let license = try client.viewLicense(42, line: .soft)
        XCTAssertEqual(license.id, 42)
        XCTAssertEqual(license.key, "ABC")
        XCTAssertEqual(license.ipChanged, Day(year: 2024, month: 2, day: 3))
        XCTAssertEqual(license.keyChanged, Day(year: 2024, month: 3, day: 4))
        XCTAssertTrue(license.isParked)
    }

    // MARK: - RemoteError

    func testIsInDoubt() {
        XCTAssertFalse(RemoteError.unreachable(url: "u", detail: "d").isInDoubt)
        XCTAssertFalse(RemoteError.tls(url: "u", detail: "d").isInDoubt)
        XCTAssertTrue(RemoteError.timedOut(function: "f", seconds: 60).isInDoubt)
        XCTAssertTrue(RemoteError.serverFailure(function: "f", status: 502).isInDoubt)
        XCTAssertTrue(RemoteError.answerLost(function: "f", detail: "d").isInDoubt)
        XCTAssertTrue(RemoteError.notProtocol(function: "f", detail: "d").isInDoubt)
        XCTAssertFalse(RemoteError.authRefused(message: "m").isInDoubt)
        XCTAssertFalse(RemoteError.refused(function: "f", type: "value", object: nil, message: "m").isInDoubt)
    }

    func testExitStatusOfRemoteErrors() {
        let expected: [(RemoteError, Int32)] = [
            (.unreachable(url: "u", detail: "d"), 69),
            (.tls(url: "u", detail: "d"), 69),
            (.timedOut(function: "f", seconds: 60), 75),
            (.serverFailure(function: "f", status: 500), 75),
            (.answerLost(function: "f", detail: "d"), 75),
            (.notProtocol(function: "f", detail: "d"), 76),
            (.authRefused(message: "m"), 77),
            (.refused(function: "f", type: "value", object: nil, message: "m"), 1),
        ]
        for (error, code) in expected {
            XCTAssertEqual(ExitStatus.of(error).rawValue, code, "\(error)")
        }
    }
}
