/// Reads `service import` input: a JSON array of service objects, or one object per line.
/// Keys are those of `service list --json`; `licenses` is ignored, any other key is an error.
/// A key left out leaves that field of a known service as it is; `null` clears `package`,
/// `period` and `addons`, and is refused for `name`, `ip` and `status`, which cannot be empty.
/// What cannot be stored exactly as written is refused: invalid UTF-8, NUL characters,
/// numbers with a fraction or exponent, and integers beyond 2^53.
public enum ServiceImport {
    static let knownKeys: Set<String> = ["id", "name", "ip", "package", "period", "addons", "status", "licenses"]

    // Whatever wrote a larger integer into JSON may have rounded it through a double on the
    // way (JavaScript and many JSON libraries do), so it could name another service than was meant.
    static let largestExactInteger = 1 << 53

    public static func parse(_ data: some Sequence<UInt8>, source: String) throws(InputError) -> [ServiceRecord] {
        let bytes = Array(data)
        func fail(at offset: Int, _ reason: String) -> InputError {
            let line = bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            return .badImport(source: source, location: "line \(line)", reason: reason)
        }
        if let offset = StrictJSON.invalidUTF8Offset(bytes) {
            throw fail(at: offset, "invalid UTF-8 at byte \(offset)")
        }
        if let offset = bytes.firstIndex(of: 0) {
            throw fail(at: offset, "a NUL byte at byte \(offset)")
        }
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        guard let first = bytes[start...].firstIndex(where: { !StrictJSON.isWhitespace($0) }) else { return [] }
        if bytes[first] == UInt8(ascii: "[") {
            let value: StrictJSON.Value
            do {
                value = try StrictJSON.parse(bytes[start...])
            } catch {
                throw fail(at: error.offset, "not a valid JSON array: \(error.reason)")
            }
            guard case .array(let elements) = value else { throw fail(at: first, "not a valid JSON array") }
            var records: [ServiceRecord] = []
            records.reserveCapacity(elements.count)
            var addons = AddonSets()
            for (index, element) in elements.enumerated() {
                let location = "element \(index + 1)"
                records.append(try record(from: element, source: source, location: location, addons: &addons))
            }
            return records
        }
        var records: [ServiceRecord] = []
        var addons = AddonSets()
        for (index, line) in bytes[start...].split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(StrictJSON.isWhitespace) { continue }
            let location = "line \(index + 1)"
            let object: StrictJSON.Value
            do {
                object = try StrictJSON.parse(line)
            } catch {
                throw .badImport(source: source, location: location, reason: "not a valid JSON object: \(error.reason)")
            }
            records.append(try record(from: object, source: source, location: location, addons: &addons))
        }
        return records
    }

    /// `addons`: the sets read before, shared by the records that repeat one.
    static func record(
        from element: StrictJSON.Value, source: String, location: String, addons sets: inout AddonSets
    ) throws(InputError) -> ServiceRecord {
        func fail(_ reason: String) -> InputError { .badImport(source: source, location: location, reason: reason) }
        guard case .object(let object) = element else { throw fail("expected a JSON object") }
        if object.keys.contains(where: { $0.unicodeScalars.contains("\0") }) {
            throw fail("a key holds a NUL character")
        }
        if let unknown = object.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw fail("unknown key '\(unknown.quotable())'")
        }
        guard let id = try integer(object["id"], "id", fail), id > 0 else {
            throw fail("'id' must be a positive number")
        }
        var record = ServiceRecord(id: id, location: location)
        // These three cannot be cleared: a service always has a name, an IP and a status.
        for key in ["name", "ip", "status"] where object[key] == .null {
            throw fail("'\(key)' is null: leave the key out to keep the service's \(key), a \(key) cannot be cleared")
        }
        if object["name"] != nil {
            guard let name = try string(object["name"], "'name'", fail) else { throw fail("'name' must be a string") }
            record.name = name
        }
        if object["ip"] != nil {
            guard let ip = try string(object["ip"], "'ip'", fail) else { throw fail("'ip' must be a string") }
            record.ip = ip
        }
        if let value = object["package"] { record.package = .some(try integer(value, "package", fail)) }
        if let value = object["period"] { record.period = .some(try integer(value, "period", fail)) }
        switch object["addons"] {
        case nil:
            break
        case .null?:
            record.addons = [:]
        case .object(let members)?:
            var addons: [String: String] = [:]
            for (key, value) in members {
                if key.unicodeScalars.contains("\0") { throw fail("an addon key holds a NUL character") }
                guard let text = try string(value, "addon '\(key.quotable())'", fail) else {
                    throw fail("addon '\(key.quotable())' must have a string value")
                }
                addons[key] = text
            }
            record.addons = sets.shared(addons)
        default:
            throw fail("'addons' must be an object of KEY: VALUE, or null for none")
        }
        if object["status"] != nil {
            guard let text = try string(object["status"], "'status'", fail), let status = Service.Status(rawValue: text)
            else {
                throw fail("'status' must be active, suspended or closed")
            }
            record.status = status
        }
        return record
    }

    /// A string field; nil when absent or null.
    private static func string(_ value: StrictJSON.Value?, _ field: String, _ fail: (String) -> InputError)
        throws(InputError) -> String?
    {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            // SQLite and C strings end at a NUL: what follows it would be lost.
            if text.unicodeScalars.contains("\0") { throw fail("\(field) holds a NUL character") }
            return text
        default: throw fail("\(field) must be a string")
        }
    }

    /// A whole number, written as a JSON number or as a string of digits; nil when absent or null.
    private static func integer(_ value: StrictJSON.Value?, _ key: String, _ fail: (String) -> InputError)
        throws(InputError) -> Int?
    {
        let text: String
        switch value {
        case nil, .null?: return nil
        case .number(let digits)?: text = digits
        case .string(let digits)?: text = digits
        default: throw fail("'\(key)' must be a number")
        }
        let unsigned = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !unsigned.isEmpty, unsigned.allSatisfy({ ("0"..."9").contains($0) }) else {
            throw fail("'\(key)' must be a whole number, without a fraction or exponent")
        }
        guard let number = Int(text), number.magnitude <= largestExactInteger else {
            throw fail("'\(key)' \(text) is beyond 2^53, where a number in JSON may have been rounded")
        }
        return number
    }
}
