/// Each service's live licenses by addon, in one array sorted by service: a table per service,
/// as a `[Int: [String: Int]]` keeps them, weighs some 140 bytes for its one or two entries,
/// and one table keyed by service and addon still keeps twice the slots it fills.
struct Attachments {
    private struct Entry {
        var service: Int
        var license: Int
        var addon: String
    }

    private var entries: [Entry] = []
    private var sorted = true

    /// Records `license` as serving `addon` of `service`, in place of any added before it.
    mutating func add(license: Int, service: Int, addon: String) {
        if let last = entries.last, last.service > service { sorted = false }
        entries.append(Entry(service: service, license: license, addon: addon))
    }

    /// Sorts what was added by service, keeping the order of each service's own: call once
    /// all are added, before any is looked up.
    mutating func finish() {
        guard !sorted else { return }
        // Stable: of two licenses on one addon, the later added still wins.
        entries = entries.enumerated().sorted { ($0.element.service, $0.offset) < ($1.element.service, $1.offset) }
            .map(\.element)
        sorted = true
    }

    /// The license serving `addon` of `service`.
    func license(of service: Int, addon: String) -> Int? {
        precondition(sorted, "Attachments looked up before finish()")
        var found: Int?
        for entry in entries[first(of: service)...] {
            guard entry.service == service else { break }
            if entry.addon == addon { found = entry.license }
        }
        return found
    }

    /// Whether any license serves `service`.
    func serves(_ service: Int) -> Bool {
        precondition(sorted, "Attachments looked up before finish()")
        let index = first(of: service)
        return index < entries.count && entries[index].service == service
    }

    /// The position of the first entry of `service`, or where it would be.
    private func first(of service: Int) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].service < service { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
