import Dispatch
import FoundationEssentials
import Glibc
import LicmgrCore

/// Prints a run's lines as the engine reports them, each flushed at once so that a pipe or a
/// file gets it when it happens, and on a terminal a progress line on stderr while batches
/// run. A kind of bookkeeping line that comes by the hundred (a takeover's drift) is cut to
/// its first few and one line with the count, unless `--verbose`: cron mails what is printed.
final class LiveRun: RunObserver, @unchecked Sendable {
    // Unchecked: the engine calls an observer from the one thread that runs it, in turn.
    private let output: Output
    private let showUnchanged: Bool
    /// The run's day, where `history --since` finds the lines cut from a summary.
    private let today: Day
    private let showsProgress: Bool
    /// What the progress line takes on the terminal now; 0 when none is drawn.
    private var drawn = 0
    private var lastDrawn: UInt64 = 0
    /// The stretch the progress line follows, and when it began, for the time left.
    private var stretch: (phase: RunProgress.Phase, total: Int, done: Int, began: UInt64)?
    /// Summarised kinds: how many came, and the ones past the first few, kept while it is not
    /// yet known whether the kind stays short enough to print whole.
    private var counts: [RunReport.Action: Int] = [:]
    private var waiting: [RunReport.Action: [String]] = [:]

    /// More lines than this of one kind are summarised ...
    static let summaryAbove = 20
    /// ... as this many, then the count of the rest.
    static let summaryHead = 5

    init(
        output: Output, showUnchanged: Bool, today: Day,
        showsProgress: Bool = isatty(STDERR_FILENO) == 1
    ) {
        self.output = output
        self.showUnchanged = showUnchanged
        self.today = today
        self.showsProgress = showsProgress && !output.json && !output.quiet
    }

    /// A run that ends in an error leaves no progress line for the error to land on.
    deinit { clearProgress() }

    /// A report no observer heard as it was made, printed in one go.
    convenience init(output: Output, replaying report: RunReport, today: Day) {
        self.init(output: output, showUnchanged: false, today: today, showsProgress: false)
        for note in report.notes { noted(note) }
        for item in report.items { finished(item) }
        for warning in report.warnings { warned(warning) }
    }

    /// Items this run keeps out of its lines: in checkevent, a refusal cron mailed within the hour.
    var holdsBack: ((RunReport.Item) -> Bool)?

    func finished(_ item: RunReport.Item) {
        if holdsBack?(item) == true { return }
        switch item.action {
        case .failed, .held: say { output.error(item.detail) }
        case .unchanged, .skipped: say { showUnchanged ? output.line(item.detail) : output.detail(item.detail) }
        default:
            guard Self.summary(of: item.action) != nil, !output.verbose else {
                say { output.line(item.detail) }
                return
            }
            let count = counts[item.action, default: 0] + 1
            counts[item.action] = count
            if count <= Self.summaryHead {
                say { output.line(item.detail) }
            } else if count <= Self.summaryAbove {
                waiting[item.action, default: []].append(item.detail)
            } else {
                waiting[item.action] = nil
            }
        }
    }

    func warned(_ text: String) { say { output.warning(text) } }

    func noted(_ text: String) { say { output.detail(text) } }

    func progress(_ progress: RunProgress) {
        guard showsProgress else { return }
        guard !progress.current.isEmpty else {
            stretch = nil
            clearProgress()
            return
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let goesOn = stretch.map {
            $0.phase == progress.phase && $0.total == progress.total && $0.done <= progress.done
        }
        if goesOn == true {
            stretch?.done = progress.done
        } else {
            stretch = (progress.phase, progress.total, progress.done, now)
        }
        // A stretch over at its first word (a listing of one page) is not worth a line; a few
        // redraws a second are all an eye can follow, and the last of a stretch is always drawn.
        // A total of 0 is one not known (a listing whose p_elems is not its total): never over.
        let over = progress.total > 0 && progress.done >= progress.total
        if drawn == 0 && over { return }
        if drawn > 0 && !over && now - lastDrawn < 100_000_000 { return }
        lastDrawn = now
        let elapsed = Double(now - (stretch?.began ?? now)) / 1e9
        let text = Self.progressLine(
            progress, left: Self.timeLeft(done: progress.done, total: progress.total, elapsed: elapsed),
            width: Self.terminalWidth())
        FileDescriptor.standardError.write("\r\u{1B}[K\(text)")
        drawn = max(text.count, 1)
    }

    /// The terminal's width, asked each time so that a resized window is followed: stderr's
    /// own, else `COLUMNS`, else 80.
    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    /// Answers before a time left is guessed, and seconds: the first are slower (a connection
    /// to open) or faster (answers queued) than the rest.
    static let timeLeftAfter = (answers: 3, seconds: 1.0)

    /// Seconds left at the pace so far; nil until enough is answered to tell.
    static func timeLeft(done: Int, total: Int, elapsed: Double) -> Int? {
        guard total > done, done >= timeLeftAfter.answers, elapsed >= timeLeftAfter.seconds else { return nil }
        return Int((elapsed / Double(done) * Double(total - done)).rounded(.up))
    }

    /// `ordering 12/300: order for service 107 (192.0.2.17) and 3 more in flight; about 2 min left`,
    /// fitted into `width` columns less one, so that it never wraps: the step summary gives up
    /// its middle first, then the time left goes, then the line's end.
    static func progressLine(_ progress: RunProgress, left: Int?, width: Int) -> String {
        let room = width - 1
        guard room > 0 else { return "" }
        let count = progress.total > 0 ? "\(progress.done)/\(progress.total)" : "\(progress.done)"
        let head = "\(progress.phase) \(count): "
        let current = String(
            String.UnicodeScalarView(
                progress.current.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        let tail = left.map { "; about \(duration($0)) left" } ?? ""
        // Less than this of the summary says nothing: the time left goes first.
        let least = 12
        for tail in [tail, ""] where room - head.count - tail.count >= min(least, current.count) {
            return head + middleCut(current, to: room - head.count - tail.count) + tail
        }
        return String((head + current).prefix(room))
    }

    /// `text` in at most `width` characters, its middle given up for "…".
    static func middleCut(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(text.prefix(width)) }
        let kept = width - 1
        return text.prefix((kept + 1) / 2) + "…" + text.suffix(kept / 2)
    }

    /// 40 s, 3 min, 1 h 20 min.
    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }

    /// The end of the run: what was kept back, the summaries, and why the run stopped early.
    func finish(_ report: RunReport) {
        clearProgress()
        for action in RunReport.Action.allCases {
            let count = counts[action, default: 0]
            if count > Self.summaryAbove, let summary = Self.summary(of: action) {
                let more = count - Self.summaryHead
                let hint = summary.see.replacing("DAY", with: today.description)
                say { output.line("... and \(Self.grouped(more)) more \(summary.what): see \(hint)") }
            } else {
                for line in waiting[action] ?? [] { say { output.line(line) } }
            }
        }
        if report.dryRun { say { output.line(Rendering.total(of: report)) } }
        if output.verbose { for warning in report.verboseWarnings { say { output.warning(warning) } } }
        if let stopped = report.stopped {
            say { output.error(Rendering.stopLine(stopped, report)) }
        }
    }

    /// Prints with the progress line out of the way, and pushes the line out at once.
    private func say(_ print: () -> Void) {
        clearProgress()
        print()
        // All streams: only stdout is buffered, and naming it trips strict concurrency.
        fflush(nil)
    }

    private func clearProgress() {
        guard drawn > 0 else { return }
        FileDescriptor.standardError.write("\r\u{1B}[K")
        drawn = 0
    }

    /// The kinds that are bookkeeping, not money, and can come by the hundred: what one line
    /// says of the rest, and where to read them.
    static func summary(of action: RunReport.Action) -> (what: String, see: String)? {
        let history = "'licmgr history --since DAY'"
        switch action {
        case .discovered: return ("licenses on the account unknown here", "'licmgr list --unused' or \(history)")
        case .gone: return ("licenses no longer on the remote list", history)
        case .drifted: return ("licenses changed on the remote", history)
        case .edited: return ("licenses changed to follow their services", history)
        case .attached: return ("licenses attached to services", "'licmgr list' or \(history)")
        case .refreshed: return ("licenses read again", "'licmgr list'")
        default: return nil
        }
    }

    /// 1219 as "1,219".
    static func grouped(_ number: Int) -> String {
        var digits = String(number)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return groups.joined(separator: ",")
    }
}
