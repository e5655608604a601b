import CLinuxShim
import Glibc
import Synchronization

/// The ticket keys in one page of shared memory (a memfd): the master writes, every worker reads.
/// Handed to workers at a fixed fd and to a re-executed master through the handover, never through
/// argv or the environment. A sequence number makes the reads consistent (a seqlock: odd while the
/// master writes), and a worker compares it on every new TLS connection, one atomic load, to pick
/// up a rotation.
final class TicketKeyStore {
    private enum Word: Int {
        case sequence = 0, count, rotatedAt, rotations, firstKey
    }

    private static let wordsPerKey = TicketKeyRing.keyLength / MemoryLayout<Int>.size
    private static let wordCount = Word.firstKey.rawValue + TicketKeyRing.capacity * wordsPerKey
    let fd: Int32
    private let words: UnsafeMutablePointer<Atomic<Int>>

    /// What a read found: the ring, when it was last rotated (monotonic ns), and how often.
    struct Contents: Equatable {
        var ring: TicketKeyRing
        var rotatedAt: UInt64
        var rotations: Int
        var sequence: Int
    }

    /// Creates the page (master side) holding `ring`.
    convenience init(publishing ring: TicketKeyRing, rotatedAt: UInt64) throws(SystemError) {
        let created = linux_memfd_create("cathammer-ticket-keys", LINUX_MFD_CLOEXEC)
        guard created >= 0 else { throw SystemError("memfd_create") }
        let fd = Master.moveAbove(created, Master.inheritedDescriptorFloor)
        guard ftruncate(fd, off_t(Self.wordCount * MemoryLayout<Int>.stride)) == 0 else { throw SystemError("ftruncate") }
        try self.init(fd: fd)
        for index in 0..<Self.wordCount { (words + index).initialize(to: Atomic(0)) }
        publish(ring, rotatedAt: rotatedAt, rotations: 0)
    }

    /// Maps an existing page (a worker, or a re-executed master).
    init(fd: Int32) throws(SystemError) {
        self.fd = fd
        let bytes = Self.wordCount * MemoryLayout<Int>.stride
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1)
        else { throw SystemError("mmap ticket keys") }
        words = raw.bindMemory(to: Atomic<Int>.self, capacity: Self.wordCount)
    }

    /// Changes whenever the keys do: a reader compares it with the one it last read.
    var sequence: Int { words[Word.sequence.rawValue].load(ordering: .acquiring) }

    /// Master side: replaces the keys (readers retry while the sequence is odd or moved).
    func publish(_ ring: TicketKeyRing, rotatedAt: UInt64, rotations: Int) {
        words[Word.sequence.rawValue].wrappingAdd(1, ordering: .acquiringAndReleasing)
        store(.count, ring.keys.count)
        store(.rotatedAt, Int(bitPattern: UInt(rotatedAt)))
        store(.rotations, rotations)
        for (keyIndex, key) in ring.keys.enumerated() {
            key.withUnsafeBytes { bytes in
                for word in 0..<Self.wordsPerKey {
                    let value = bytes.loadUnaligned(fromByteOffset: word * MemoryLayout<Int>.size, as: Int.self)
                    words[Word.firstKey.rawValue + keyIndex * Self.wordsPerKey + word].store(value, ordering: .relaxed)
                }
            }
        }
        words[Word.sequence.rawValue].wrappingAdd(1, ordering: .releasing)
    }

    /// A consistent copy of the page; nil only if it never held a ring.
    func read() -> Contents? {
        while true {
            let before = sequence
            if before & 1 == 1 { continue }
            let count = load(.count)
            guard count >= 1 && count <= TicketKeyRing.capacity else { return nil }
            var keys: [[UInt8]] = []
            for keyIndex in 0..<count {
                var key = [UInt8](repeating: 0, count: TicketKeyRing.keyLength)
                key.withUnsafeMutableBytes { bytes in
                    for word in 0..<Self.wordsPerKey {
                        let value = words[Word.firstKey.rawValue + keyIndex * Self.wordsPerKey + word].load(ordering: .relaxed)
                        bytes.storeBytes(of: value, toByteOffset: word * MemoryLayout<Int>.size, as: Int.self)
                    }
                }
                keys.append(key)
            }
            let rotatedAt = UInt64(UInt(bitPattern: load(.rotatedAt)))
            let rotations = load(.rotations)
            atomicMemoryFence(ordering: .acquiring)
            guard sequence == before else { continue }
            return Contents(ring: TicketKeyRing(keys: keys), rotatedAt: rotatedAt, rotations: rotations, sequence: before)
        }
    }

    private func load(_ word: Word) -> Int { words[word.rawValue].load(ordering: .relaxed) }
    private func store(_ word: Word, _ value: Int) { words[word.rawValue].store(value, ordering: .relaxed) }
}
