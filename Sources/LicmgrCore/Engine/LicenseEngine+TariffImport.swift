/// What `import-tariffs` found and changed.
public struct TariffImportReport: Sendable, Equatable {
    public var tariffs: [Tariff]
    public var added: [Int] = []
    public var changed: [Int] = []
    /// Tariffs the remote no longer lists: kept, marked gone, no longer resolvable.
    public var vanished: [Int] = []
    public var dryRun: Bool
}

extension LicenseEngine {
    /// Reads the remote catalogue and stores it, so that prices show in dry runs, periods
    /// resolve by what the remote sells, and tariff ids in addon names are checked.
    public func importTariffs(dryRun: Bool) throws -> TariffImportReport {
        let tariffs = try server.exportTariffs().sorted { $0.id < $1.id }
        var report = TariffImportReport(tariffs: tariffs, dryRun: dryRun)
        let known = try store.catalogue(includeGone: true)
        for tariff in tariffs {
            if let old = known.tariffs[tariff.id] {
                if old != tariff { report.changed.append(tariff.id) }
            } else {
                report.added.append(tariff.id)
            }
        }
        let listed = Set(tariffs.map(\.id))
        let live = try store.catalogue()
        report.vanished = live.tariffs.keys.filter { !listed.contains($0) }.sorted()
        if dryRun { return report }
        try store.transaction {
            try store.saveCatalogue(tariffs, at: time.timestamp)
            let summary =
                "\(tariffs.count) tariffs: \(report.added.count) new, \(report.changed.count) changed, \(report.vanished.count) gone"
            try record("import tariffs", result: "ok", service: nil, license: nil, summary)
        }
        return report
    }
}

/// Config lines to paste, made from a catalogue: every line is a comment or a directive that
/// `config check` accepts, so the whole output can be appended to licmgr.conf.
public enum TariffSuggestions {
    public static func lines(for tariffs: [Tariff]) -> [String] {
        var lines = ["# Remote tariffs (id, name, periods: id = price (period)):"]
        for tariff in tariffs {
            let periods = tariff.periods.map { "\($0.id)=\($0.cost.isEmpty ? "?" : $0.writtenCost) (\($0.name))" }
                .joined(separator: " ")
            let note =
                !tariff.active
                ? "  (not orderable)"
                : ProductLine(itemType: tariff.itemType) == nil
                    ? "  (item type '\(tariff.itemType)': no license licmgr can order)" : ""
            lines.append("#   \(tariff.id)  \(tariff.name)  [\(tariff.currency)] \(periods)\(note)")
        }
        lines.append(
            "# Price lines map an addon value to a tariff; rename the first word to your billing's addon name.")
        var used = Set<String>()
        for tariff in tariffs where tariff.active && ProductLine(itemType: tariff.itemType) != nil {
            var name = slug(tariff.name)
            if name.isEmpty || used.contains(name.lowercased()) { name += String(tariff.id) }
            used.insert(name.lowercased())
            lines.append("Price \(name) \(tariff.id)   # \(tariff.name)")
        }
        let mapped = tariffs.filter { tariff in
            tariff.active && ProductLine(itemType: tariff.itemType) != nil
                && tariff.periods.contains { $0.months != nil && $0.months != $0.id }
        }
        if !mapped.isEmpty {
            lines.append("# Period lines for tariffs whose period ids are not month counts (local period = months):")
        }
        for tariff in mapped {
            for period in tariff.periods {
                guard let months = period.months, months != period.id else { continue }
                lines.append("Period \(months) \(period.id) \(tariff.id)   # \(tariff.name), \(period.name)")
            }
        }
        return lines
    }

    static func slug(_ name: String) -> String {
        String(
            name.unicodeScalars.filter { ($0.properties.isAlphabetic || ("0"..."9").contains($0)) && $0 != "#" }
                .map(Character.init))
    }
}
