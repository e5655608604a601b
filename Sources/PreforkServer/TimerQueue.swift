/// Deadlines of one event loop, earliest first. Cancelling is lazy: an owner bumps its own
/// generation and stale entries are skipped when they come up, so re-arming a connection's timer
/// for every request costs one heap push and no allocation once the heap has grown.
struct TimerQueue<Owner> {
    struct Entry {
        var deadline: UInt64
        var sequence: UInt64
        var owner: Owner
        var generation: UInt64
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var earliestDeadline: UInt64? { heap.first?.deadline }

    mutating func schedule(_ owner: Owner, at deadline: UInt64, generation: UInt64) {
        nextSequence &+= 1
        heap.append(Entry(deadline: deadline, sequence: nextSequence, owner: owner, generation: generation))
        siftUp(heap.count - 1)
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: UInt64) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

    /// Drops every entry `isStale` says was cancelled and restores the heap order (O(n)). Stale
    /// entries hold their owners: a closed connection would otherwise live until its deadline
    /// (5 s of keep-alive at 10,000 new connections a second is 50,000 dead sessions).
    mutating func removeStale(_ isStale: (Entry) -> Bool) {
        heap.removeAll(where: isStale)
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(index)
        }
    }

    /// Entries that tie on the deadline fire in the order they were scheduled.
    private func precedes(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && precedes(heap[left + 1], heap[left]) { smallest = left + 1 }
            guard precedes(heap[smallest], heap[parent]) else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
