import Foundation
@preconcurrency import Glibc

/// Whether the target is still the same live server: a plain GET on a fresh connection, and for a
/// server this run started, the same processes as before (a worker that died and was replaced is
/// a crash even when the replacement answers).
public final class TargetHealth: @unchecked Sendable {
    private let endpoint: Endpoint
    private let rootPID: Int32?
    private let lock = NSLock()
    private var processes: Set<Int32>

    public init(endpoint: Endpoint, rootPID: Int32?) {
        self.endpoint = endpoint
        self.rootPID = rootPID
        processes = rootPID.map(Self.processTree) ?? []
    }

    /// nil when healthy, else what is wrong. A process that exited is reported once.
    public func problem() -> String? {
        if let rootPID {
            // New processes (workers still starting, a pool growing) are not a crash; a vanished one is.
            let now = Self.processTree(rootPID)
            let vanished: Set<Int32> = lock.withLock {
                defer { processes = now }
                return processes.subtracting(now)
            }
            if !vanished.isEmpty { return "process \(vanished.sorted().map(String.init).joined(separator: ", ")) of the target exited" }
        }
        return isAnswering() ? nil : "the target stopped answering a plain GET"
    }

    /// A GET / on a fresh connection gets a response (any status), within three tries.
    public func isAnswering() -> Bool {
        for attempt in 0..<3 {
            if (try? HTTPGet.fetch(endpoint, path: "/", timeout: 2)) != nil { return true }
            usleep(useconds_t(200_000 * (attempt + 1)))
        }
        return false
    }

    /// The process and its descendants, from /proc.
    static func processTree(_ root: Int32) -> Set<Int32> {
        var all: Set<Int32> = []
        var queue = [root]
        while let pid = queue.popLast(), all.count < 4096 {
            guard kill(pid, 0) == 0 || errno == EPERM else { continue }
            all.insert(pid)
            queue += SpawnedTarget.children(of: pid)
        }
        return all
    }
}
