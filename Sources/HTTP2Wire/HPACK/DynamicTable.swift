import HTTPWire

/// The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of entries, newest at index 1.
///
/// Entries live in two preallocated rings, so inserting and evicting never allocate: the names and
/// values back to back in a byte ring, and their offsets and lengths in an entry ring. An entry takes
/// at least 32 bytes of table size (§4.1) and its bytes count towards that size, so a byte ring of
/// `capacity` bytes and an entry ring of `capacity / 32` slots can always hold a full table.
/// The rings are allocated by the first insert, not before, and grow (doubling, up to `capacity`)
/// only as the entries need: a connection whose peer never indexes a field holds no table storage,
/// and one with a few indexed fields a few hundred bytes, not the whole maximum. Once a table has
/// been full, inserting and evicting never allocate again.
public struct HPACKDynamicTable: Sendable {
    struct Entry: Sendable {
        var start: Int
        var nameCount: Int
        var valueCount: Int
        var known: KnownField
    }

    /// The §4.1 overhead that an entry costs on top of its name and value.
    public static let entryOverhead = 32

    private var ring: [UInt8]
    private var slots: [Entry]
    /// Slot of the oldest entry.
    private var oldest = 0
    /// Ring offset of the oldest entry's first byte, and how many bytes are in use from there.
    private var byteStart = 0
    private var byteCount = 0
    public private(set) var count = 0
    /// The §4.1 size: the sum of name + value + 32 over the entries.
    public private(set) var size = 0
    /// The current maximum size (§4.2), never above `capacity`.
    public private(set) var maxSize: Int
    /// The largest maximum size the storage was sized for.
    public private(set) var capacity: Int

    public init(capacity: Int, maxSize: Int? = nil) {
        self.capacity = capacity
        self.maxSize = min(maxSize ?? capacity, capacity)
        ring = []
        slots = []
    }

    /// Whether the rings exist yet (the first insert allocates them).
    public var hasStorage: Bool { !ring.isEmpty }
    /// Bytes the rings take now (byte ring and entry ring), for tests and memory accounting.
    public var storageBytes: Int { ring.count + slots.count * MemoryLayout<Entry>.stride }

    /// The first allocation: enough for a few typical fields.
    static let initialStorageBytes = 256

    /// Makes room for `bytes` name and value octets in `entries` entries, moving what is held to
    /// the start of larger rings (oldest first). Never beyond `capacity`, which always suffices.
    private mutating func reserveStorage(bytes: Int, entries: Int) {
        guard bytes > ring.count || entries > slots.count else { return }
        let byteLimit = max(1, capacity), slotLimit = max(1, capacity / Self.entryOverhead)
        let newByteCount = min(byteLimit, max(bytes, ring.count * 2, Self.initialStorageBytes))
        let newSlotCount = min(slotLimit, max(entries, slots.count * 2, Self.initialStorageBytes / Self.entryOverhead))
        var newRing = [UInt8](repeating: 0, count: newByteCount)
        var newSlots = [Entry](repeating: Entry(start: 0, nameCount: 0, valueCount: 0, known: .other), count: newSlotCount)
        var offset = 0
        for position in 0..<count {
            var slot = oldest + position
            if slot >= slots.count { slot -= slots.count }
            let entry = slots[slot]
            let length = entry.nameCount + entry.valueCount
            if length > 0 {
                ring.withUnsafeBytes { old in
                    newRing.withUnsafeMutableBytes { new in
                        let first = min(length, old.count - entry.start)
                        (new.baseAddress! + offset).copyMemory(from: old.baseAddress! + entry.start, byteCount: first)
                        if first < length {
                            (new.baseAddress! + offset + first).copyMemory(from: old.baseAddress!, byteCount: length - first)
                        }
                    }
                }
            }
            newSlots[position] = Entry(start: offset, nameCount: entry.nameCount, valueCount: entry.valueCount, known: entry.known)
            offset += length
        }
        ring = newRing
        slots = newSlots
        oldest = 0
        byteStart = 0
    }

    /// Sizes the storage for a larger maximum ahead of time, keeping the entries and the current maximum.
    public mutating func reserveCapacity(_ newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let keep = maxSize
        grow(to: newCapacity)
        maxSize = keep
    }

    /// Changes the maximum size, evicting from the oldest end to fit (§4.3).
    public mutating func setMaxSize(_ newMaxSize: Int) {
        if newMaxSize > capacity { grow(to: newMaxSize) }
        maxSize = newMaxSize
        while size > maxSize { evictOldest() }
    }

    /// Adds an entry, first evicting what it needs (§4.4). An entry larger than the maximum size
    /// empties the table and is not added. The caller's bytes must not point into this table.
    public mutating func insert(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, known: KnownField) {
        let entrySize = name.count + value.count + Self.entryOverhead
        guard entrySize <= maxSize else {
            removeAll()
            return
        }
        while size + entrySize > maxSize { evictOldest() }
        reserveStorage(bytes: byteCount + name.count + value.count, entries: count + 1)
        let ringCount = ring.count
        var start = byteStart + byteCount
        if start >= ringCount { start -= ringCount }
        ring.withUnsafeMutableBytes { ring in
            Self.write(name, into: ring, at: start)
            var valueStart = start + name.count
            if valueStart >= ringCount { valueStart -= ringCount }
            Self.write(value, into: ring, at: valueStart)
        }
        var slot = oldest + count
        if slot >= slots.count { slot -= slots.count }
        slots[slot] = Entry(start: start, nameCount: name.count, valueCount: value.count, known: known)
        count += 1
        byteCount += name.count + value.count
        size += entrySize
    }

    public mutating func removeAll() {
        oldest = 0
        count = 0
        byteStart = 0
        byteCount = 0
        size = 0
    }

    private mutating func evictOldest() {
        let entry = slots[oldest]
        oldest += 1
        if oldest == slots.count { oldest = 0 }
        count -= 1
        let bytes = entry.nameCount + entry.valueCount
        byteStart += bytes
        if byteStart >= ring.count { byteStart -= ring.count }
        byteCount -= bytes
        size -= bytes + Self.entryOverhead
        if count == 0 {
            byteStart = 0
            oldest = 0
        }
    }

    /// Raising the limit past the storage is a settings change, not a per-block event: the one
    /// place that allocates.
    private mutating func grow(to newCapacity: Int) {
        var grown = HPACKDynamicTable(capacity: newCapacity, maxSize: newCapacity)
        var position = count
        while position >= 1 {
            let entry = self.entry(position)
            var name: [UInt8] = []
            var value: [UInt8] = []
            appendName(entry, to: &name)
            appendValue(entry, to: &value)
            name.withUnsafeBytes { name in
                value.withUnsafeBytes { value in grown.insert(name: name, value: value, known: entry.known) }
            }
            position -= 1
        }
        self = grown
    }

    @inline(__always)
    private static func write(_ bytes: UnsafeRawBufferPointer, into ring: UnsafeMutableRawBufferPointer, at start: Int) {
        guard bytes.count > 0, let source = bytes.baseAddress, let base = ring.baseAddress else { return }
        let first = min(bytes.count, ring.count - start)
        (base + start).copyMemory(from: source, byteCount: first)
        if first < bytes.count {
            base.copyMemory(from: source + first, byteCount: bytes.count - first)
        }
    }

    /// The entry at dynamic index `index` (1 is the newest), 1...count.
    @inline(__always)
    func entry(_ index: Int) -> Entry {
        var slot = oldest + count - index
        if slot >= slots.count { slot -= slots.count }
        return slots[slot]
    }

    @inline(__always)
    func appendName(_ entry: Entry, to out: inout [UInt8]) {
        appendRingBytes(start: entry.start, count: entry.nameCount, to: &out)
    }

    @inline(__always)
    func appendValue(_ entry: Entry, to out: inout [UInt8]) {
        var start = entry.start + entry.nameCount
        if start >= ring.count { start -= ring.count }
        appendRingBytes(start: start, count: entry.valueCount, to: &out)
    }

    /// Copies the entry's name to `out`, which has room for `entry.nameCount` bytes.
    @inline(__always)
    func copyName(_ entry: Entry, to out: UnsafeMutableRawPointer) {
        copyRingBytes(start: entry.start, count: entry.nameCount, to: out)
    }

    /// Copies the entry's value to `out`, which has room for `entry.valueCount` bytes.
    @inline(__always)
    func copyValue(_ entry: Entry, to out: UnsafeMutableRawPointer) {
        var start = entry.start + entry.nameCount
        if start >= ring.count { start -= ring.count }
        copyRingBytes(start: start, count: entry.valueCount, to: out)
    }

    @inline(__always)
    private func copyRingBytes(start: Int, count: Int, to out: UnsafeMutableRawPointer) {
        guard count > 0 else { return }
        ring.withUnsafeBytes { ring in
            let first = min(count, ring.count - start)
            out.copyMemory(from: ring.baseAddress! + start, byteCount: first)
            if first < count { (out + first).copyMemory(from: ring.baseAddress!, byteCount: count - first) }
        }
    }

    @inline(__always)
    private func appendRingBytes(start: Int, count: Int, to out: inout [UInt8]) {
        guard count > 0 else { return }
        ring.withUnsafeBytes { ring in
            let first = min(count, ring.count - start)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: ring[start..<(start + first)]))
            if first < count {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: ring[0..<(count - first)]))
            }
        }
    }

    /// Whether the ring bytes at `start` equal `bytes`.
    @inline(__always)
    private func ringBytesEqual(start: Int, count: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard count == bytes.count else { return false }
        guard count > 0 else { return true }
        return ring.withUnsafeBytes { ring in
            let first = min(count, ring.count - start)
            if !HPACKBytes.memcmpBytes(ring.baseAddress! + start, bytes.baseAddress!, first) { return false }
            return first == count || HPACKBytes.memcmpBytes(ring.baseAddress!, bytes.baseAddress! + first, count - first)
        }
    }

    /// The newest entry equal to `name`/`value`, and the newest with that name, as dynamic indexes.
    func find(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> (exact: Int?, name: Int?) {
        var nameMatch: Int?
        var index = 1
        while index <= count {
            let entry = self.entry(index)
            if ringBytesEqual(start: entry.start, count: entry.nameCount, name) {
                if nameMatch == nil { nameMatch = index }
                var valueStart = entry.start + entry.nameCount
                if valueStart >= ring.count { valueStart -= ring.count }
                if ringBytesEqual(start: valueStart, count: entry.valueCount, value) { return (index, nameMatch) }
            }
            index += 1
        }
        return (nil, nameMatch)
    }

    /// The entry at dynamic index `index` (1 is the newest) as a copy, for tests and tools.
    public func field(at index: Int) -> HeaderField {
        precondition(index >= 1 && index <= count, "dynamic index \(index) outside 1...\(count)")
        let entry = self.entry(index)
        var name: [UInt8] = []
        var value: [UInt8] = []
        appendName(entry, to: &name)
        appendValue(entry, to: &value)
        return HeaderField(name: name, value: value)
    }

    /// Every entry, newest first.
    public var fields: [HeaderField] { count == 0 ? [] : (1...count).map(field(at:)) }
}
