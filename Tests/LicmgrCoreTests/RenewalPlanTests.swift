import XCTest

@testable import LicmgrCore

/// The renewal pass's rules as a pure function of what a run reads: no store, no remote.
final class RenewalPlanTests: XCTestCase {
    private let today = Day(year: 2026, month: 12, day: 6)!

    private func resolver(_ configText: String = "") throws -> Resolver {
        let catalogue = Catalogue(tariffs: [
            55227: Tariff(
                id: 55227, name: "ISPmanager 6 Lite", active: true, itemType: "soft", currency: "EUR",
                periods: [
                    .init(id: -100, type: "trial", length: 1, cost: "0"),
                    .init(id: 1, type: "month", length: 1, cost: "10"),
                    .init(id: 12, type: "month", length: 12, cost: "100"),
                ])
        ])
        return Resolver(config: try ConfigParser().parse(configText, path: "/etc/licmgr.conf"), catalogue: catalogue)
    }

    private func license(_ id: Int, service: Int = 1, period: Int = 1, expiresIn days: Int = 3) -> License {
        License(
            id: id, name: "Item #\(service) addon vps\(service)", ip: "10.0.0.\(service)", pricelist: 55227,
            period: period, status: .active, expires: today.adding(days: days), serviceID: service, addon: "panel")
    }

    private func snapshot(_ licenses: [License], services: [Service]? = nil) -> RenewalPlan.Snapshot {
        let services =
            services ?? [Service(id: 1, name: "vps1", ip: "10.0.0.1", period: 1, addons: ["panel": "Lite"])]
        return RenewalPlan.Snapshot(
            licenses: licenses, services: Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) }),
            dueDay: today.adding(days: 7))
    }

    func testADueLicenseIsRenewedForThePeriodItsServiceResolvesTo() throws {
        var state = snapshot([license(1)])
        state.services[1]?.period = 12
        XCTAssertEqual(RenewalPlan.decide(state, resolver: try resolver()), [.renew(license(1), period: 12)])
    }

    func testATrialOrASuspendedServiceIsNotRenewed() throws {
        var state = snapshot([license(1, period: -100)])
        XCTAssertEqual(
            RenewalPlan.decide(state, resolver: try resolver()), [.skip(license(1, period: -100), why: "it is a trial")]
        )
        state = snapshot([license(1)])
        state.services[1]?.status = .suspended
        XCTAssertEqual(
            RenewalPlan.decide(state, resolver: try resolver()),
            [.skip(license(1), why: "service 1 is suspended")])
    }

    func testALicenseItsServiceNoLongerNeedsIsNotRenewed() throws {
        var state = snapshot([license(1)])
        state.services[1]?.addons = [:]
        XCTAssertEqual(
            RenewalPlan.decide(state, resolver: try resolver()),
            [.skip(license(1), why: "service 1 no longer has addon panel")])
    }

    /// licmgr's own record of the term it paid outranks a remote that still shows the license due.
    func testATermLicmgrPaidIsNotPaidAgainAndTheRemotesDatesAreWarnedOf() throws {
        var state = snapshot([license(1)])
        let until = today.adding(months: 1)
        state.renewedUntil[1] = until
        guard case .skip(_, let why, let warning?) = RenewalPlan.decide(state, resolver: try resolver()).first else {
            return XCTFail("not skipped with a warning")
        }
        XCTAssertEqual(why, "licmgr renewed it already until \(until)")
        XCTAssertTrue(warning.contains("the remote shows it expiring"), warning)
    }

    /// A renewal journaled for the same term is not sent again, done or refused for good; one
    /// refused for lack of funds is tried again.
    func testTheJournalKeepsATermFromBeingRenewedTwice() throws {
        let due = license(1)
        func renewal(_ state: RemoteOperation.State, _ result: String?) -> RemoteOperation {
            RemoteOperation(
                key: "k", kind: .renew, serviceID: 1, addon: "panel", licenseID: 1,
                params: ["period": "1", "expires_before": due.expires!.description], state: state, result: result,
                command: "checkevent", createdAt: "2026-12-05T10:00:00Z")
        }
        var state = snapshot([due])
        state.journal[1] = [renewal(.done, "renewed")]
        XCTAssertEqual(
            RenewalPlan.decide(state, resolver: try resolver()), [.skip(due, why: "renewed already for this term")])
        state.journal[1] = [renewal(.failed, "refused:value: no")]
        XCTAssertEqual(
            RenewalPlan.decide(state, resolver: try resolver()),
            [.skip(due, why: "refused for this term (refused:value: no)")])
        state.journal[1] = [renewal(.failed, "refused:not_enough_money: top up")]
        XCTAssertEqual(RenewalPlan.decide(state, resolver: try resolver()), [.renew(due, period: 1)])
    }

    func testABusyLicenseOrOneOfAnUnknownServiceGetsNoDecision() throws {
        var state = snapshot([license(1), license(2, service: 9)])
        state.busy = [1]
        XCTAssertEqual(RenewalPlan.decide(state, resolver: try resolver()), [])
    }

    func testAPeriodTheCatalogueDoesNotSellIsRefusedNamingTheLine() throws {
        let decisions = RenewalPlan.decide(snapshot([license(1)]), resolver: try resolver("Period 1 6 55227\n"))
        guard case .refuse(_, let error) = decisions.first else { return XCTFail("\(decisions)") }
        XCTAssertTrue(error.description.contains("Period 1 6 55227"), error.description)
    }
}
