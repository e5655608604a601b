import CathammerContract
import Foundation

/// Before herd-check measures a spawned server (`--spawn`) the server must be serving and at rest:
/// a prefork server listens before its workers exist (gunicorn, the reference server), and a worker
/// still booting would be missing from the process tree the counters are read over, or count its
/// own start-up as wakeups. Ready means: a GET was answered, then two readings of the process tree
/// a moment apart show the same processes, all asleep, with the same voluntary context switches.
public enum TargetSettling {
    /// One reading of the tree: every process, its state, its sleeps so far.
    public struct Reading: Equatable, Sendable {
        public var pids: [Int32]
        public var states: [Character?]
        public var voluntaryContextSwitches: [Int]

        public init(pids: [Int32], states: [Character?], voluntaryContextSwitches: [Int]) {
            self.pids = pids
            self.states = states
            self.voluntaryContextSwitches = voluntaryContextSwitches
        }

        public static func of(tree root: Int32) -> Reading {
            let pids = ProcessCounters.tree(of: root)
            let files = pids.map { ProcessStatusFile.read(pid: $0) }
            return Reading(pids: pids, states: files.map { $0?.state }, voluntaryContextSwitches: files.map { $0?.voluntaryContextSwitches ?? -1 })
        }
    }

    /// At rest between two readings: nobody came or went, everybody sleeps, nobody woke up.
    public static func atRest(_ earlier: Reading, _ later: Reading) -> Bool {
        !later.pids.isEmpty && earlier.pids == later.pids && later.states.allSatisfy { $0 == "S" }
            && earlier.voluntaryContextSwitches == later.voluntaryContextSwitches
    }

    /// The gap between the two readings: longer than a worker's step between two sleeps while it boots.
    static let readingGapMicroseconds: UInt32 = 100_000

    /// Polls until the target answers (`answers`) and then until its tree is at rest, up to `timeout`
    /// seconds in all; returns why it is not ready, or nil.
    public static func wait(root: Int32, timeout: Double, answers: () -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while !answers() {
            guard Date() < deadline else { return "the target answered no request within \(Int(timeout)) s" }
            usleep(50_000)
        }
        var previous = Reading.of(tree: root)
        while true {
            usleep(readingGapMicroseconds)
            let current = Reading.of(tree: root)
            if atRest(previous, current) { return nil }
            guard Date() < deadline else {
                return "the target's processes (\(current.pids.map(String.init).joined(separator: ", "))) did not come to rest within "
                    + "\(Int(timeout)) s (states \(current.states.map { $0.map(String.init) ?? "?" }.joined()))"
            }
            previous = current
        }
    }
}
