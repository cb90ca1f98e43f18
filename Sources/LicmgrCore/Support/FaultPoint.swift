import FoundationEssentials
import Glibc

/// Every place a run can be cut between journaling a remote step and recording its outcome,
/// named so that tests can kill the process exactly there. The kill tests are generated from
/// `allCases`: a step added here without a scenario that reaches it fails them.
public enum StepPoint: String, Sendable, CaseIterable {
    case order
    case renew
    case newKey = "newkey"
    case reuseRename = "reuse.rename"
    case reuseNewKey = "reuse.newkey"
    case resumeRenew = "resume.renew"
    case resumeResume = "resume.resume"
    case parkSuspend = "park.suspend"
    case parkRename = "park.rename"
    case followSuspend = "follow.suspend"
    case followMove = "follow.move"
    case retariff
    case delete
}

/// Test-only: `LICMGR_FAULT_POINT=reuse.newkey:before` kills the process with SIGKILL once that
/// step is journaled and before it is sent; `:after` once the remote answered and before the
/// answer is recorded; `:drop` takes the remote's answer for lost on its way back, as a dropped
/// connection would. Read once, here and nowhere else; unset, it does nothing.
enum FaultPoint {
    static let variable = "LICMGR_FAULT_POINT"
    private static let armed = ProcessInfo.processInfo.environment[variable]

    enum Phase: String {
        case before, after
    }

    static func reach(_ point: StepPoint, _ phase: Phase) {
        guard let armed, armed == "\(point.rawValue):\(phase.rawValue)" else { return }
        kill(getpid(), SIGKILL)
    }

    /// The remote has applied `point` and answered: the moment of `:after`, and of `:drop`.
    static func answered(_ point: StepPoint) throws(RemoteError) {
        reach(point, .after)
        guard let armed, armed == "\(point.rawValue):drop" else { return }
        throw .answerLost(function: point.rawValue, detail: "dropped by \(variable)")
    }
}
