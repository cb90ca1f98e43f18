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
        if let name = record.name { members.append("\"name\":\(Harness.jsonString(name))") }
        if let ip = record.ip { members.append("\"ip\":\(Harness.jsonString(ip))") }
        if let status = record.status { members.append("\"status\":\(Harness.jsonString(status.rawValue))") }
        if let package = record.package { members.append("\"package\":\(package.map(String.init) ?? "null")") }
        if let period = record.period { members.append("\"period\":\(period.map(String.init) ?? "null")") }
        if let addons = record.addons {
            let pairs = addons.map { "\(Harness.jsonString($0.key)):\(Harness.jsonString($0.value))" }
            members.append("\"addons\":{\(pairs.joined(separator: ","))}")
        }
        return "{\(members.joined(separator: ","))}"
    }

}
