import LicmgrCore

enum ConfigHarness {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let text = text(bytes) else { return }
        do {
            _ = try ConfigParser().parse(text, path: "/etc/licmgr/licmgr.conf")
        } catch let error as ConfigError {
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
            if let line = error.line {
                require((1...lines).contains(line), "the error names line \(line) of \(lines): \(error)")
            }
            require(!error.description.contains(where: \.isNewline), "an error of more than one line: \(error)")
        } catch {
            require(false, "not a ConfigError: \(error)")
        }
    }
}
