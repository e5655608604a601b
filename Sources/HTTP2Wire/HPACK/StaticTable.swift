import HTTPWire

/// The static table of RFC 7541 Appendix A, kept as one byte blob plus offsets so that lookups and
/// copies never touch Swift strings.
enum StaticTable {
    static let count = 61

    static let entries: [(String, String)] = [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"),
        (":path", "/index.html"), (":scheme", "http"), (":scheme", "https"), (":status", "200"),
        (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
        (":status", "404"), (":status", "500"), ("accept-charset", ""), ("accept-encoding", "gzip, deflate"),
        ("accept-language", ""), ("accept-ranges", ""), ("accept", ""), ("access-control-allow-origin", ""),
        ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""),
        ("date", ""), ("etag", ""), ("expect", ""), ("expires", ""),
        ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""),
        ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""),
        ("retry-after", ""), ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""),
        ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ]

    struct Entry {
        var nameOffset: Int
        var nameCount: Int
        var valueOffset: Int
        var valueCount: Int
        var known: KnownField
    }

    struct Storage {
        let bytes: UnsafePointer<UInt8>
        /// Entry for HPACK index i at position i - 1.
        let entries: UnsafePointer<Entry>
        /// For each name length, the indexes of the entries with a name of that length, for the
        /// encoder's lookups; `byLengthStart[n]..<byLengthStart[n + 1]` into `byLength`.
        let byLengthStart: UnsafePointer<Int>
        let byLength: UnsafePointer<Int>
        let longestName: Int
    }

    nonisolated(unsafe) static let storage: Storage = {
        var blob: [UInt8] = []
        var built: [Entry] = []
        for (name, value) in entries {
            let nameOffset = blob.count
            blob += Array(name.utf8)
            let valueOffset = blob.count
            blob += Array(value.utf8)
            let known = blob.withUnsafeBytes {
                KnownField.classify(UnsafeRawBufferPointer(rebasing: $0[nameOffset..<valueOffset]))
            }
            built.append(Entry(nameOffset: nameOffset, nameCount: name.utf8.count, valueOffset: valueOffset,
                               valueCount: value.utf8.count, known: known))
        }
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: blob.count)
        bytes.initialize(from: blob, count: blob.count)
        let table = UnsafeMutablePointer<Entry>.allocate(capacity: built.count)
        table.initialize(from: built, count: built.count)
        let longest = built.map(\.nameCount).max() ?? 0
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: longest + 2)
        let byLength = UnsafeMutablePointer<Int>.allocate(capacity: built.count)
        var filled = 0
        for length in 0...longest {
            starts[length] = filled
            for (position, entry) in built.enumerated() where entry.nameCount == length {
                byLength[filled] = position + 1
                filled += 1
            }
        }
        starts[longest + 1] = filled
        return Storage(bytes: UnsafePointer(bytes), entries: UnsafePointer(table), byLengthStart: UnsafePointer(starts),
                       byLength: UnsafePointer(byLength), longestName: longest)
    }()

    /// The entry at HPACK index `index`, 1...61.
    @inline(__always)
    static func entry(_ index: Int) -> Entry { storage.entries[index - 1] }

    @inline(__always)
    static func name(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.bytes + entry.nameOffset, count: entry.nameCount)
    }

    @inline(__always)
    static func value(_ entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.bytes + entry.valueOffset, count: entry.valueCount)
    }

    /// The index of an entry equal to `name`/`value`, and the lowest index with that name.
    static func find(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> (exact: Int?, name: Int?) {
        let storage = self.storage
        guard name.count <= storage.longestName else { return (nil, nil) }
        var nameMatch: Int?
        for position in storage.byLengthStart[name.count]..<storage.byLengthStart[name.count + 1] {
            let index = storage.byLength[position]
            let entry = storage.entries[index - 1]
            guard HPACKBytes.equal(self.name(entry), name) else { continue }
            if nameMatch == nil { nameMatch = index }
            if HPACKBytes.equal(self.value(entry), value) { return (index, nameMatch) }
        }
        return (nil, nameMatch)
    }
}

enum HPACKBytes {
    @inline(__always)
    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0 else { return true }
        return memcmpBytes(a.baseAddress!, b.baseAddress!, a.count)
    }

    @inline(__always)
    static func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        let x = a.assumingMemoryBound(to: UInt8.self)
        let y = b.assumingMemoryBound(to: UInt8.self)
        for index in 0..<count where x[index] != y[index] { return false }
        return true
    }
}
