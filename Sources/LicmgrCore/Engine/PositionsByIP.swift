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
