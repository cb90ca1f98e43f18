/// Each service's live licenses by addon, in one table: a table per service, as a
/// `[Int: [String: Int]]` keeps them, weighs some 140 bytes for its one or two entries.
struct Attachments {
    private struct Key: Hashable {
        var service: Int
        var addon: String
    }

    private var licenses: [Key: Int] = [:]
    private var services: Set<Int> = []

    /// Records `license` as serving `addon` of `service`, in place of any before it.
    mutating func add(license: Int, service: Int, addon: String) {
        licenses[Key(service: service, addon: addon)] = license
        services.insert(service)
    }

    /// The license serving `addon` of `service`.
    func license(of service: Int, addon: String) -> Int? {
        licenses[Key(service: service, addon: addon)]
    }

    /// Whether any license serves `service`.
    func serves(_ service: Int) -> Bool { services.contains(service) }
}
