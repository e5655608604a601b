/// Which certificate a ClientHello's server_name picks (RFC 6066 §3): an exact name first, then a
/// `*.parent` pattern for a name exactly one label below the parent, else the default (nil).
/// Names compare case-insensitively; a trailing dot is ignored.
struct SNITable {
    private var exact: [String: Int] = [:]
    private var wildcard: [String: Int] = [:]

    /// `patterns[i]` selects certificate `i`; the first pattern given for a name wins.
    init(patterns: [String]) {
        for (index, pattern) in patterns.enumerated() {
            let name = pattern.lowercased()
            if name.hasPrefix("*.") {
                if wildcard[String(name.dropFirst(2))] == nil { wildcard[String(name.dropFirst(2))] = index }
            } else if exact[name] == nil {
                exact[name] = index
            }
        }
    }

    /// The index of the certificate for `serverName`, or nil for the default certificate.
    func select(_ serverName: String) -> Int? {
        var name = serverName.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if let index = exact[name] { return index }
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return nil }
        return wildcard[String(name[name.index(after: dot)...])]
    }

    /// A host name (letters, digits, hyphens, dots; no empty label), optionally `*.` and a parent
    /// with at least one dot-separated label.
    static func isValidPattern(_ pattern: String) -> Bool {
        let name = pattern.hasPrefix("*.") ? String(pattern.dropFirst(2)) : pattern
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63
                && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        }
    }
}
