/// Positions in an array, by key, in array order: the first of each key in a table, each next
/// one by a link from the one before. An array per key, as a `[Key: [Int]]` keeps them, weighs
/// some 50 bytes for the one position most keys have.
struct Positions<Key: Hashable> {
    private var first: [Key: Int32] = [:]
    private var next: [Int32] = []

    /// The positions `0..<count`, each under `key(position)`; one whose key is nil is left out.
    init(count: Int, key: (Int) -> Key?) {
        next = Array(repeating: -1, count: count)
        // Linked from the end, so that each key's positions come in order.
        for position in (0..<count).reversed() {
            guard let key = key(position) else { continue }
            next[position] = first[key] ?? -1
            first[key] = Int32(position)
        }
    }

    init() {}

    /// The positions under `key`, in order.
    subscript(key: Key) -> some Sequence<Int> {
        sequence(first: first[key].map(Int.init) ?? -1) { Int(next[$0]) }.lazy.prefix { $0 >= 0 }
    }
}

/// The positions in a listing of its live licenses, by IP, in listing order.
typealias PositionsByIP = Positions<String>

extension Positions<String> {
    init(_ listing: [License]) {
        self.init(count: listing.count) { listing[$0].isLive ? listing[$0].ip : nil }
    }
}
