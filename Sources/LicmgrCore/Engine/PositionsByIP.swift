/// The positions in a listing of its live licenses, by IP, in listing order: the first on each
/// IP in a table, each next one by a link from the one before. An array per IP, as a
/// `[String: [Int]]` keeps them, weighs some 50 bytes for the one position most IPs have.
struct PositionsByIP {
    private var first: [String: Int32] = [:]
    private var next: [Int32] = []

    init(_ listing: [License]) {
        next = Array(repeating: -1, count: listing.count)
        // Linked from the end, so that each IP's positions come in listing order.
        for position in listing.indices.reversed() where listing[position].isLive {
            let ip = listing[position].ip
            next[position] = first[ip] ?? -1
            first[ip] = Int32(position)
        }
    }

    init() {}

    /// The positions of the live licenses on `ip`, in listing order.
    subscript(ip: String) -> some Sequence<Int> {
        sequence(first: first[ip].map(Int.init) ?? -1) { Int(next[$0]) }.lazy.prefix { $0 >= 0 }
    }
}

/// Positions in an array by an integer key, as pairs sorted by key, for a pass that looks keys
/// up in increasing order (services by id): successive lookups read the same few cache lines,
/// where a table by key of 100,000 entries costs a miss each.
struct PositionsByKey {
    private var entries: [(key: Int, position: Int32)] = []

    /// The positions `0..<count`, each under `key(position)`; one whose key is nil is left out.
    init(count: Int, key: (Int) -> Int?) {
        for position in 0..<count {
            if let key = key(position) { entries.append((key, Int32(position))) }
        }
        // Already in order when keys grow with positions, as services' ids with their licenses'.
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0.key <= $1.key }) {
            entries.sort { ($0.key, $0.position) < ($1.key, $1.position) }
        }
    }

    /// The positions under `key`, in order.
    subscript(key: Int) -> some Sequence<Int> {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].key < key { low = middle + 1 } else { high = middle }
        }
        return entries[low...].lazy.prefix { $0.key == key }.map { Int($0.position) }
    }
}
