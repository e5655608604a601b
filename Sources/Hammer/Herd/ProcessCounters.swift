import CathammerContract

/// What /proc shows of any process from outside: its voluntary context switches (sleeps, i.e.
/// wakeups). For servers without a stats endpoint.
public struct ProcessCounters: Sendable, Equatable {
    public var pid: Int32
    public var voluntaryContextSwitches: Int

    public init(pid: Int32, voluntaryContextSwitches: Int) {
        self.pid = pid
        self.voluntaryContextSwitches = voluntaryContextSwitches
    }

    public static func read(pid: Int32) -> ProcessCounters? {
        guard let status = ProcessStatusFile.read(pid: pid) else { return nil }
        return ProcessCounters(pid: pid, voluntaryContextSwitches: status.voluntaryContextSwitches)
    }

    /// A process and all its descendants (nginx, gunicorn: master and workers).
    public static func tree(of root: Int32) -> [Int32] {
        var all: [Int32] = [root]
        var index = 0
        while index < all.count {
            all += SpawnedTarget.children(of: all[index])
            index += 1
        }
        return all
    }
}
