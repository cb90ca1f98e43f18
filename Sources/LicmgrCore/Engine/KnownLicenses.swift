/// Every license recorded, read once for a run's lookups by id: the licenses in one array,
/// and a table of their places. A `[Int: License]` of 100,000 licenses keeps its values in
/// the table, which holds some twice as many slots as licenses: 57 MB, against 25 here.
struct KnownLicenses {
    /// In the order they were added (the store's: by id).
    private(set) var values: [License] = []
    private var places: [Int: Int32] = [:]
    /// Where the last lookup found its license. A run looks licenses up mostly in id order, as
    /// they were added (a listing sorted by id, the ids sorted): the one after it is tried
    /// first, which spares a probe into a table that at 100,000 licenses no cache holds.
    private let last = Place()

    private final class Place {
        var position = -1
    }

    init(capacity: Int = 0) {
        values.reserveCapacity(capacity)
        places.reserveCapacity(capacity)
    }

    init(_ licenses: some Sequence<License>) {
        self.init()
        for license in licenses { add(license) }
    }

    /// Adds `license`, or replaces the one with its id.
    mutating func add(_ license: License) {
        if let place = places[license.id] {
            values[Int(place)] = license
        } else {
            places[license.id] = Int32(values.count)
            values.append(license)
        }
    }

    subscript(id: Int) -> License? {
        position(of: id).map { values[$0] }
    }

    /// The position in `values` of the license with `id`.
    func position(of id: Int) -> Int? {
        let next = last.position + 1
        if next < values.count, values[next].id == id {
            last.position = next
            return next
        }
        guard let place = places[id] else { return nil }
        last.position = Int(place)
        return Int(place)
    }

    var count: Int { values.count }

    /// The ids, in the order of `values`.
    var keys: [Int] { values.map(\.id) }

    /// For each license of `listing`, the position in `values` of the license with its id.
    func positions(of listing: [License]) -> [Int32] {
        listing.map { license in position(of: license.id).map(Int32.init) ?? -1 }
    }
}
