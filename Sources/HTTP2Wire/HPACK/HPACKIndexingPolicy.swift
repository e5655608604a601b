/// The literal representations of RFC 7541 §6.2.
public enum HPACKIndexing: Sendable, Equatable {
    /// §6.2.1: the field is added to the dynamic table.
    case incremental
    /// §6.2.2: not added here, and an intermediary may add it when re-encoding.
    case withoutIndexing
    /// §6.2.3: never added, by this encoder nor by any intermediary (§7.1.3).
    case neverIndexed
}

/// When the encoder uses Huffman strings (§5.2).
public enum HPACKHuffmanChoice: Sendable, Equatable {
    case never
    case always
    /// Only when the Huffman form is strictly shorter.
    case whenShorter
}

/// How the encoder chooses a literal representation for fields it cannot index outright.
public enum HPACKIndexingPolicy: Sendable, Equatable {
    /// For server responses: values that repeat are indexed, secrets are never indexed (§7.1.3:
    /// an attacker who can probe the table could guess a cookie or credential one byte at a time),
    /// per-response values and entries taking most of the table are sent without indexing.
    case standard
    /// Every literal is indexed: the choices of the RFC 7541 Appendix C examples.
    case indexEverything
    /// Nothing is added to the dynamic table.
    case noIndexing

    func indexing(name: UnsafeRawBufferPointer, valueCount: Int, maxTableSize: Int) -> HPACKIndexing {
        switch self {
        case .indexEverything: return .incremental
        case .noIndexing: return .withoutIndexing
        case .standard:
            if Self.isSensitive(name) { return .neverIndexed }
            if Self.changesPerMessage(name) { return .withoutIndexing }
            let entrySize = name.count + valueCount + HPACKDynamicTable.entryOverhead
            // An entry taking most of the table would evict everything else for one reuse at best.
            return entrySize * 4 > maxTableSize * 3 ? .withoutIndexing : .incremental
        }
    }

    static func isSensitive(_ name: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 6: return equals(name, "cookie")
        case 10: return equals(name, "set-cookie")
        case 13: return equals(name, "authorization")
        case 19: return equals(name, "proxy-authorization")
        default: return false
        }
    }

    static func changesPerMessage(_ name: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 3: return equals(name, "age")
        case 4: return equals(name, "etag")
        case 5: return equals(name, ":path")
        case 8: return equals(name, "location")
        case 13: return equals(name, "content-range") || equals(name, "last-modified") || equals(name, "if-none-match")
        case 14: return equals(name, "content-length")
        case 17: return equals(name, "if-modified-since")
        default: return false
        }
    }

    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount
            && HPACKBytes.equal(bytes, UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
