import XCTest

/// What the simulator found breaking a promise, each cut down by hand from the shortest failing
/// prefix it printed to the few steps that still break it without the engine's fix.
final class SimulationRegressionTests: XCTestCase {
    func assertKeepsEveryPromise(_ schedule: [Event], file: StaticString = #filePath, line: UInt = #line) throws {
        let outcome = try Simulation.run(schedule, verbose: true)
        XCTAssertEqual(
            outcome.violations.map(\.description), [], outcome.trace.joined(separator: "\n"), file: file, line: line)
    }

    /// A listing consistent with itself hides the license of a service that has moved to
    /// another IP: believed gone without a view, it was bought again on the new IP.
    func testHiddenServingLicenseIsNotBoughtAgain() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .addService(2, ip: "10.0.0.2", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setService(2, ip: "10.0.0.9", period: nil, addons: nil, now: nil),
            .run(.checkEvent, Faults(reads: [0: .hiddenListing])),
        ])
    }

    /// A view refused for a reason that is not "no such license" was taken for proof that a
    /// hidden license was gone; once its addon was dropped, nothing listed its family again and
    /// the paid license was lost.
    func testRefusedViewIsNotTakenForAGoneLicense() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setService(1, ip: nil, period: nil, addons: ["cloudlinux": "on", "panel": "Lite"], now: nil),
            .run(.checkEvent, .clean),
            .run(.checkEvent, Faults(reads: [0: .hiddenListing, 1: .refused])),
            .setService(1, ip: nil, period: nil, addons: ["panel": "Lite"], now: nil),
        ])
    }

    /// `renew --due` paid for a license whose service had dropped its addon, before any follow
    /// pass let the license go.
    func testLicenseItsServiceNoLongerNeedsIsNotRenewed() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setService(1, ip: nil, period: nil, addons: ["panel": "nopanel"], now: nil),
            .pass(minutes: 30 * 1440),
            .run(.renewDue, .clean),
        ])
    }

    /// A reused license whose new key came back without the key kept its last owner's key in
    /// licmgr's record.
    func testReusedLicenseRecordsTheKeyItWasGiven() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.freeLicense(tariff: 55227, restedDays: 90, expiresInDays: 200)),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, Faults(changes: [1: .keyless])),
        ])
    }

    /// A new key whose answer timed out and that the remote made minutes later, after the next
    /// run had read the license back: the key recorded stayed the one before.
    func testNewKeyInFlightIsReadBackOnceItLands() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            // Seed 2 has the remote make the key 491 s later: after the next run, within SettleAfter.
            .run(.newKey(service: 1), Faults(seed: 2, changes: [0: .appliedLate])),
            .run(.checkEvent, .clean),
        ])
    }

    /// A rename whose answer timed out, settled at once by a run that then parked the license:
    /// the rename landed after the parking, and the license, out of the pool and serving
    /// nothing, was lost.
    func testChangeInFlightIsWaitedFor() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.foreignLicense(tariff: 55227, ip: "10.0.0.1", name: "vps1 by hand")),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            // Seed 2 has the remote make the rename 491 s later: after the next run, within SettleAfter.
            .run(.checkEvent, Faults(seed: 2, changes: [0: .appliedLate])),
            .setStatus([1], .closed, now: .clean),
        ])
    }

    /// A new key whose answer was lost, settled by a run whose view of the license failed: the
    /// step was closed all the same, and the key recorded stayed the one before for good.
    func testNewKeyInDoubtIsSettledOnlyOnceReadBack() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .run(.newKey(service: 1), Faults(changes: [0: .lostAnswer])),
            .run(.checkEvent, Faults(reads: [1: .serverError])),
        ])
    }

    /// `newkey` answered without the key, and the view that reads it back failed: the step was
    /// closed with the key before recorded for good.
    func testNewKeyAnsweredWithoutTheKeyIsReadBack() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .run(.newKey(service: 1), Faults(reads: [0: .serverError], changes: [0: .keyless])),
        ])
    }

    /// A reuse cut short by a kill, then given up because its service was suspended, by a run
    /// killed between closing the reuse and opening the park that takes the license back: it
    /// stayed out of the pool with its last owner's key, and no workflow left to finish.
    func testReuseGivenUpIsParkedInTheSameBreath() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.freeLicense(tariff: 55227, restedDays: 90, expiresInDays: 200)),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, Faults(changes: [1: .killBefore])),
            .setStatus([1], .suspended, now: Faults(killAtStoreCall: 31)),
        ])
    }

    /// A remote whose clock lags shows a license lapsed that licmgr paid until later: resuming
    /// its service renewed it again for a term already paid.
    func testResumeDoesNotRenewATermLicmgrPaid() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["panel": "Lite"], status: .active),
            .remote(.clockSkew(days: -10)),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setStatus([1], .suspended, now: .clean),
            .pass(minutes: 25 * 1440),
            .setStatus([1], .active, now: .clean),
        ])
    }

    /// An order in doubt for a third-party product whose service then dropped the addon: its
    /// family was no longer listed, so settling found no license and the one bought was lost.
    func testOrderInDoubtIsFoundAfterItsAddonIsDropped() throws {
        try assertKeepsEveryPromise([
            .addService(1, ip: "10.0.0.1", package: 5, period: 1, addons: ["cloudlinux": "on"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, Faults(changes: [0: .appliedLate])),
            .setService(1, ip: nil, period: nil, addons: ["panel": "nopanel"], now: nil),
        ])
    }

    /// A reuse given up and parked again by the run that carried it on: serving, by the listing
    /// read before, attached the parked license, which then went into service without a new key.
    func testLicenseParkedThisRunIsNotAttachedByAnOldListing() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.freeLicense(tariff: 55227, restedDays: 90, expiresInDays: 200)),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, Faults(changes: [1: .refused, 2: .refused])),
            .run(.checkEvent, .clean),
        ])
    }

    /// A license of another edition bought by hand on the IP of a service the pool served: the
    /// tariff change to that edition was refused for good (a second license of one tariff on the
    /// IP), while the license that would serve sat unused beside it.
    func testLicenseOfTheNewTariffOnTheIPServesTheChange() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.freeLicense(tariff: 55227, restedDays: 90, expiresInDays: 200)),
            .remote(.foreignLicense(tariff: 55228, ip: "10.0.0.1", name: "vps1 by hand")),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setService(1, ip: nil, period: nil, addons: ["panel": "Pro"], now: nil),
            .run(.checkEvent, .clean),
            .run(.checkEvent, .clean),
        ])
    }

    /// The same license of another edition, and the service moves to another IP as it changes
    /// tariff: the change, tried on the old IP, was refused for good, and the license never
    /// followed its service.
    func testLicenseFollowsItsServiceBeforeItsTariffChanges() throws {
        try assertKeepsEveryPromise([
            .config(.reUseLicense(true)),
            .remote(.freeLicense(tariff: 55227, restedDays: 90, expiresInDays: 200)),
            .remote(.foreignLicense(tariff: 55228, ip: "10.0.0.1", name: "vps1 by hand")),
            .addService(1, ip: "10.0.0.1", package: 12, period: 1, addons: ["panel": "Lite"], status: .active),
            .run(.importTariffs, .clean),
            .run(.checkEvent, .clean),
            .setService(1, ip: "10.0.0.9", period: nil, addons: ["panel": "Pro"], now: nil),
            .run(.checkEvent, .clean),
            .run(.checkEvent, .clean),
        ])
    }
}
