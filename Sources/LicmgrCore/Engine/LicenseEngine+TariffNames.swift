extension LicenseEngine {
    /// Gives every row of a listing its tariff id. BILLmanager 6 lists a license's tariff by its
    /// name ("Tariff plan"); only the edit form and the catalogue give ids, and a name may be
    /// shared by two tariffs. A row's name resolves, in order: as the same license's recorded
    /// tariff, when the record names it so; through the imported catalogue, when exactly one
    /// tariff there bears it; else by viewing the license, once per name and family when the
    /// form shows that name against one tariff only, else once per license. A row that none of
    /// these resolves stops the read: no tariff 0 is stored, bought for or changed to.
    func resolveTariffNames(_ listing: [License], known: KnownLicenses) throws -> [License] {
        guard listing.contains(where: { $0.pricelist == 0 }) else { return listing }
        var listing = listing
        // Gone tariffs too: licenses of a tariff no longer sold still list under its name.
        let catalogue = try store.catalogue(includeGone: true)
        let catalogueNames = Dictionary(grouping: catalogue.tariffs.values, by: \.name).mapValues { Set($0.map(\.id)) }
        var unresolved: [Int] = []
        for index in listing.indices where listing[index].pricelist == 0 {
            let row = listing[index]
            if let name = row.tariffName, let recorded = known[row.id], recorded.pricelist != 0,
                (recorded.tariffName ?? catalogue.tariffs[recorded.pricelist]?.name) == name
            {
                listing[index].pricelist = recorded.pricelist
            } else if let name = row.tariffName, let ids = catalogueNames[name], ids.count == 1 {
                listing[index].pricelist = ids.first!
            } else {
                unresolved.append(index)
            }
        }
        guard !unresolved.isEmpty else { return listing }

        // A name the catalogue holds twice is ambiguous: each license is viewed. Another is
        // viewed once, and the form says whether the name alone tells the tariff.
        struct Group: Hashable {
            var line: ProductLine
            var name: String
        }
        var groups: [Group: [Int]] = [:]
        var eachViewed: [Int] = []
        for index in unresolved {
            let row = listing[index]
            if let name = row.tariffName, (catalogueNames[name]?.count ?? 0) < 2 {
                groups[Group(line: row.line, name: name), default: []].append(index)
            } else {
                eachViewed.append(index)
            }
        }
        var viewed = try viewTariffs(of: groups.values.map { $0[0] }.sorted(), in: listing)
        var rest = eachViewed
        for members in groups.values {
            let first = viewed[members[0]]!
            if first.tariffNameIsUnique && first.tariffName == listing[members[0]].tariffName {
                for index in members.dropFirst() { listing[index].pricelist = first.pricelist }
            } else {
                rest += members.dropFirst()
            }
        }
        viewed.merge(try viewTariffs(of: rest.sorted(), in: listing)) { first, _ in first }
        for (index, view) in viewed {
            // A license viewed anyway brings its key and change dates: no later step views it again.
            listing[index].pricelist = view.pricelist
            listing[index].key = listing[index].key ?? view.key
            listing[index].ipChanged = listing[index].ipChanged ?? view.ipChanged
            listing[index].keyChanged = listing[index].keyChanged ?? view.keyChanged
        }
        return listing
    }

    /// Views the rows at `indices` for their tariff ids, `Parallel` at once. A row whose view is
    /// refused or shows no tariff id throws, naming the license.
    private func viewTariffs(of indices: [Int], in listing: [License]) throws -> [Int: License] {
        var viewed: [Int: License] = [:]
        try server.perform(
            indices.map { .view(license: listing[$0].id, line: listing[$0].line) }, parallel: config.parallel
        ) { position, answer in
            let row = listing[indices[position]]
            let why: String
            switch answer {
            case .success(.license(let license)) where license.pricelist != 0:
                viewed[indices[position]] = license
                return
            case .success: why = "its view shows no tariff id"
            case .failure(.refused(_, _, _, let message, _)): why = "its view was refused: \(message)"
            case .failure(let error): throw error
            }
            throw RemoteError.incompleteListing(
                function: row.line.function("soft"),
                detail:
                    "license \(row.id) lists tariff '\(row.tariffName ?? "")', which neither licmgr's records nor the catalogue resolve, and \(why)"
            )
        }
        return viewed
    }
}
