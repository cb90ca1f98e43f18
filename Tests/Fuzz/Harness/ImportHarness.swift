import LicmgrCore

enum ImportHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let records: [ServiceRecord]
        do {
            records = try ServiceImport.parse(bytes, source: "fuzz.json")
        } catch {
            return
        }
        let services = records.map(\.service)
        for service in services {
            require((1...(1 << 53)).contains(service.id), "service id \(service.id) accepted")
            require(!service.name.unicodeScalars.contains("\0"), "a NUL in a name accepted")
        }
        // What was read is what was written: the same services written out again read the same.
        let written = services.map(json).joined(separator: "\n")
        do {
            let again = try ServiceImport.parse(Array(written.utf8), source: "again.json").map(\.service)
            require(again == services, "read back differently: \(services) then \(again)")
        } catch {
            require(false, "written back, refused: \(error)")
        }
    }

    private static func json(_ service: Service) -> String {
        var members = [
            "\"id\":\(service.id)", "\"name\":\(json(service.name))", "\"ip\":\(json(service.ip))",
            "\"status\":\(json(service.status.rawValue))",
        ]
        if let package = service.package { members.append("\"package\":\(package)") }
        if let period = service.period { members.append("\"period\":\(period)") }
        let addons = service.addons.map { "\(json($0.key)):\(json($0.value))" }
        members.append("\"addons\":{\(addons.joined(separator: ","))}")
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
