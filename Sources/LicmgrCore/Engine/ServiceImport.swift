import Foundation

/// Reads `service import` input: a JSON array of service objects, or one object per line.
/// Keys are those of `service list --json`; `licenses` is ignored, any other key is an error.
public enum ServiceImport {
    static let knownKeys: Set<String> = ["id", "name", "ip", "package", "period", "addons", "status", "licenses"]

    public static func parse(_ data: Data, source: String) throws(InputError) -> [ServiceRecord] {
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return [] }
        if trimmed.hasPrefix("[") {
            guard let array = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [Any] else {
                throw .badImport(source: source, location: nil, reason: "not a valid JSON array")
            }
            var records: [ServiceRecord] = []
            for (index, element) in array.enumerated() {
                let location = "element \(index + 1)"
                records.append(
                    ServiceRecord(
                        service: try service(from: element, source: source, location: location),
                        location: location))
            }
            return records
        }
        var records: [ServiceRecord] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let body = line.trimmingCharacters(in: .whitespaces)
            if body.isEmpty { continue }
            let location = "line \(index + 1)"
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) else {
                throw .badImport(source: source, location: location, reason: "not a valid JSON object")
            }
            records.append(
                ServiceRecord(
                    service: try service(from: object, source: source, location: location),
                    location: location))
        }
        return records
    }

    static func service(from element: Any, source: String, location: String) throws(InputError) -> Service {
        func fail(_ reason: String) -> InputError { .badImport(source: source, location: location, reason: reason) }
        guard let object = element as? [String: Any] else { throw fail("expected a JSON object") }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw fail("unknown key '\(unknown)'")
        }
        guard let id = integer(object["id"]), id > 0 else { throw fail("'id' must be a positive number") }
        guard let name = object["name"] as? String else { throw fail("'name' must be a string") }
        guard let ip = object["ip"] as? String else { throw fail("'ip' must be a string") }
        let package = try optionalInteger(object["package"], "package", fail)
        let period = try optionalInteger(object["period"], "period", fail)
        var addons: [String: String] = [:]
        if let raw = object["addons"], !(raw is NSNull) {
            guard let dictionary = raw as? [String: Any] else { throw fail("'addons' must be an object of KEY: VALUE") }
            for (key, value) in dictionary {
                guard let text = value as? String else { throw fail("addon '\(key)' must have a string value") }
                addons[key] = text
            }
        }
        var status = Service.Status.active
        if let raw = object["status"], !(raw is NSNull) {
            guard let text = raw as? String, let parsed = Service.Status(rawValue: text) else {
                throw fail("'status' must be active, suspended or closed")
            }
            status = parsed
        }
        return Service(id: id, name: name, ip: ip, package: package, period: period, addons: addons, status: status)
    }

    private static func integer(_ value: Any?) -> Int? {
        switch value {
        case let number as NSNumber:
            // JSONSerialization reads true/false as NSNumber too (type "c"); a boolean is not an id.
            if String(cString: number.objCType) == "c" { return nil }
            let double = number.doubleValue
            return double == double.rounded() ? Int(exactly: double) : nil
        case let text as String: return Int(text)
        default: return nil
        }
    }

    private static func optionalInteger(_ value: Any?, _ key: String, _ fail: (String) -> InputError) throws(InputError)
        -> Int?
    {
        guard let value, !(value is NSNull) else { return nil }
        guard let number = integer(value) else { throw fail("'\(key)' must be a number") }
        return number
    }
}
