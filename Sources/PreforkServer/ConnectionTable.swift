/// A worker's open connections by file descriptor. The kernel hands out the lowest free descriptor,
/// so an array indexed by fd stays about as long as the most connections ever open at once, and a
/// look-up is an index instead of a hash: a dictionary cost ~450 instructions per new connection
/// (hashing on insert and removal; callgrind, `make bench-cpu`).
struct ConnectionTable {
    private var slots: [ServerSession?] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    subscript(fd: Int32) -> ServerSession? {
        get {
            let index = Int(fd)
            return index >= 0 && index < slots.count ? slots[index] : nil
        }
        set {
            let index = Int(fd)
            precondition(index >= 0, "a connection's fd is never negative")
            if index >= slots.count {
                guard newValue != nil else { return }
                slots.append(contentsOf: repeatElement(nil, count: index + 1 - slots.count))
            }
            switch (slots[index] != nil, newValue != nil) {
            case (false, true): count += 1
            case (true, false): count -= 1
            default: break
            }
            slots[index] = newValue
        }
    }

    /// The open connections, in fd order (a copy: a connection may close while the caller walks it).
    var all: [ServerSession] { slots.compactMap { $0 } }
}
