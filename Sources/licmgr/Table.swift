/// Plain aligned columns for terminals; scripts use `--json`.
enum Table {
    /// Prints `header` and the rows `rows` hands to its argument, if there are any. `rows` is
    /// called twice, once to size the columns and once to print them, so that no listing is
    /// held whole. A listing a command was asked for names what to say, at a terminal, when it
    /// is empty, and its rows are data that `--quiet` keeps; a table without `empty` is part of
    /// a run's report, which `--quiet` drops.
    static func print(
        header: [String], to output: Output, empty: String? = nil, rows: (_ row: ([String]) -> Void) throws -> Void
    ) throws {
        var widths = header.map(\.count)
        var none = true
        try rows { row in
            none = false
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        guard !none else {
            if let empty { output.emptyListing(empty) }
            return
        }
        let print = empty == nil ? output.line : output.data
        print(line(header, widths: widths))
        try rows { print(line($0, widths: widths)) }
    }

    private static func line(_ row: [String], widths: [Int]) -> String {
        row.indices.map { column in
            column == row.count - 1
                ? row[column] : row[column].padded(to: widths[column])
        }.joined(separator: "  ")
    }
}
