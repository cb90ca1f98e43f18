import LicmgrCore

enum ImportHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let records: [ServiceRecord]
        do {
            records = try ServiceImport.parse(bytes, source: "fuzz.json")
        } catch {
            return
        }
        for record in records {
            require((1...(1 << 53)).contains(record.id), "service id \(record.id) accepted")
            require(!(record.name ?? "").unicodeScalars.contains("\0"), "a NUL in a name accepted")
        }
        // What was read is what was written: the same records written out again read the same,
        // keys left out still left out and nulls still null.
        let written = records.map(json).joined(separator: "\n")
        func unplaced(_ records: [ServiceRecord]) -> [ServiceRecord] {
            records.map { record in
                var record = record
                record.location = ""
                return record
            }
        }
        do {
            let again = try ServiceImport.parse(Array(written.utf8), source: "again.json")
            require(unplaced(again) == unplaced(records), "read back differently: \(records) then \(again)")
        } catch {
            require(false, "written back, refused: \(error)")
        }
    }

    private static func json(_ record: ServiceRecord) -> String {
        var members = ["\"id\":\(record.id)"]
        if let name = record.name { members.append("\"name\":\(json(name))") }
        if let ip = record.ip { members.append("\"ip\":\(json(ip))") }
        if let status = record.status { members.append("\"status\":\(json(status.rawValue))") }
        if let package = record.package { members.append("\"package\":\(package.map(String.init) ?? "null")") }
        if let period = record.period { members.append("\"period\":\(period.map(String.init) ?? "null")") }
        if let addons = record.addons {
            let pairs = addons.map { "\(json($0.key)):\(json($0.value))" }
            members.append("\"addons\":{\(pairs.joined(separator: ","))}")
        }
        return "{\(members.joined(separator: ","))}"
    }

    private static func json(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
