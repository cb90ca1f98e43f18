import Glibc

// What licmgr took from full Foundation, which would link ICU (36 MB of the static binary)
// for a handful of string and path calls; FoundationEssentials has none of these.

extension StringProtocol {
    /// Foundation's `trimmingCharacters(in: .whitespaces)`: spaces and tabs, not line breaks.
    public func trimmingBlanks() -> String {
        if hasVisibleEnds { return String(self) }
        return trimming { $0.properties.isWhitespace && !Self.isLineBreak($0) }
    }

    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`.
    public func trimmingWhitespace() -> String {
        if hasVisibleEnds { return String(self) }
        return trimming { $0.properties.isWhitespace }
    }

    /// Whether the text begins and ends with a visible ASCII character, which no trimming of
    /// blanks takes: most text read does, and a listing of 100,000 licenses trims some of each.
    private var hasVisibleEnds: Bool {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return false }
        return (0x21...0x7E).contains(first.value) && (0x21...0x7E).contains(last.value)
    }

    /// The text without the scalars at either end that `drop` matches, as Foundation trims.
    public func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// Foundation's `caseInsensitiveCompare(_:) == .orderedSame`, for the ASCII words of licmgr.conf.
    public func equalsIgnoringCase(_ other: some StringProtocol) -> Bool {
        lowercased() == other.lowercased()
    }

    /// Foundation's `padding(toLength:withPad: " ", startingAt: 0)` for a column `width`
    /// characters wide: blanks after a shorter text, a longer one cut.
    public func padded(to width: Int) -> String {
        count < width ? String(self) + String(repeating: " ", count: width - count) : String(prefix(width))
    }

    /// Text taken from outside (a config word, a JSON key) as an error may quote it: control
    /// characters shown as `\u{..}` so the error stays one line, and cut to `limit` characters
    /// so a megabyte of garbage is not echoed back whole.
    public func quotable(limit: Int = 60) -> String {
        var out = ""
        for scalar in prefix(limit).unicodeScalars {
            if scalar.properties.generalCategory == .control {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return count > limit ? out + "…" : out
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(scalar.value) || [0x85, 0x2028, 0x2029].contains(scalar.value)
    }
}

/// The path calls of `NSString`, on plain strings.
public enum Path {
    /// `NSString.deletingLastPathComponent`: `/a/b` → `/a`, `/a` → `/`, `a` → ``.
    public static func parent(of path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts = path.split(separator: "/")
        guard !parts.isEmpty else { return absolute ? "/" : "" }
        parts.removeLast()
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : joined
    }

    /// `NSString.appendingPathComponent`.
    public static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        if name.isEmpty { return directory }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// `NSString.standardizingPath` as Linux Foundation does it: an absolute path loses its
    /// `.` and empty components, and its symbolic links are resolved as far as the path exists,
    /// before `..` steps back, as the kernel would; a relative path is left alone but for `.`.
    /// (Foundation looks for a relative link's target from the current directory; this looks
    /// from the link's own, as the kernel does.)
    public static func standardized(_ path: String) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard path.hasPrefix("/") else { return parts.joined(separator: "/") }
        var resolved = "/"
        for part in parts {
            if part == ".." {
                resolved = parent(of: resolved)
            } else {
                resolved = join(resolved, String(part))
                if let real = realPath(resolved) { resolved = real }
            }
        }
        return resolved
    }

    private static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
