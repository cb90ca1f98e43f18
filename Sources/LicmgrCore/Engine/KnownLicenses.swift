/// Every license recorded, read once for a run's lookups by id: the licenses in one array,
/// and a table of their places. A `[Int: License]` of 100,000 licenses keeps its values in
/// the table, which holds some twice as many slots as licenses: 57 MB, against 25 here.
struct KnownLicenses {
    /// In the order they were added (the store's: by id).
    private(set) var values: [License] = []
    private var places: [Int: Int32] = [:]

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
        places[id].map { values[Int($0)] }
    }

    var count: Int { values.count }

    /// The ids, in the order of `values`.
    var keys: [Int] { values.map(\.id) }
}
