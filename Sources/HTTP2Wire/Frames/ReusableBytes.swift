/// A growable byte store that keeps its memory between frames, so that reassembling a frame split
/// across reads, or a field block split across CONTINUATION frames, allocates only while it grows to
/// the largest size seen. Copy-on-write keeps value semantics for the structs that embed it.
struct ReusableBytes: @unchecked Sendable {
    private final class Storage {
        let base: UnsafeMutableRawPointer
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }
        deinit { base.deallocate() }
    }

    private var storage: Storage?
    private(set) var count = 0

    init() {}

    var capacity: Int { storage?.capacity ?? 0 }

    /// The stored bytes. Valid until the next mutation of this value or of its owner.
    var bytes: UnsafeRawBufferPointer {
        guard let storage else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: storage.base, count: count)
    }

    mutating func removeAll() { count = 0 }

    mutating func append(_ source: UnsafeRawBufferPointer) {
        let needed = count + source.count
        if needed > capacity || !isKnownUniquelyReferenced(&storage) {
            reallocate(toHold: needed)
        }
        if let from = source.baseAddress, source.count > 0 {
            (storage!.base + count).copyMemory(from: from, byteCount: source.count)
        }
        count = needed
    }

    private mutating func reallocate(toHold needed: Int) {
        // Doubling from 1 KiB keeps growth to a handful of allocations per connection.
        var newCapacity = max(capacity, 1024)
        while newCapacity < needed { newCapacity *= 2 }
        let fresh = Storage(capacity: newCapacity)
        if let old = storage, count > 0 { fresh.base.copyMemory(from: old.base, byteCount: count) }
        storage = fresh
    }
}
