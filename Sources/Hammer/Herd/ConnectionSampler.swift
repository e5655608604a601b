import Foundation
import Synchronization

/// Which worker process holds the target's connections, seen from outside: every millisecond the
/// workers' socket descriptors (/proc/PID/fd) are listed; sockets beyond those a worker had before
/// the load (its listener, its control channels) are client connections it holds. The samples add
/// up to each worker's share of connections.
public final class ConnectionSampler: @unchecked Sendable {
    private let workers: [Int32]
    private let baseline: [Int32: Set<String>]
    private let counts = Mutex<[Int32: Int]>([:])
    private let running = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Takes each worker's baseline of sockets now, before the load.
    public init(workers: [Int32]) {
        self.workers = workers
        baseline = Dictionary(uniqueKeysWithValues: workers.map { ($0, Self.socketInodes(of: $0)) })
    }

    static func socketInodes(of pid: Int32) -> Set<String> {
        let directory = "/proc/\(pid)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var inodes: Set<String> = []
        for entry in entries {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)"),
                  target.hasPrefix("socket:[") else { continue }
            inodes.insert(target)
        }
        return inodes
    }

    func sample() {
        for worker in workers {
            let held = Self.socketInodes(of: worker).subtracting(baseline[worker] ?? []).count
            if held > 0 { counts.withLock { $0[worker, default: 0] += held } }
        }
    }

    public func start(everyMilliseconds: Int = 1) {
        running.store(true, ordering: .relaxed)
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                sample()
                usleep(UInt32(everyMilliseconds * 1000))
            }
            finished.signal()
        }
        thread.start()
    }

    /// The busiest worker's share of `counts` (0 when nothing was seen).
    public static func busiestShare(_ counts: [Int]) -> Double {
        let total = counts.reduce(0, +)
        return total > 0 ? Double(counts.max() ?? 0) / Double(total) : 0
    }

    /// Stops sampling; returns the busiest worker's share of the sampled connections and the number seen.
    public func stop() -> (busiestShare: Double, samples: Int) {
        running.store(false, ordering: .relaxed)
        finished.wait()
        let values = counts.withLock { Array($0.values) }
        return (Self.busiestShare(values), values.reduce(0, +))
    }
}
