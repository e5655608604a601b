import Foundation

/// What /proc shows of any process from outside: voluntary context switches (sleeps, i.e. wakeups)
/// and read syscalls (a proxy for the connections it served). For servers without a stats endpoint.
public struct ProcessCounters: Sendable, Equatable {
    public var pid: Int32
    public var voluntaryContextSwitches: Int
    public var readSyscalls: Int

    public init(pid: Int32, voluntaryContextSwitches: Int, readSyscalls: Int) {
        self.pid = pid
        self.voluntaryContextSwitches = voluntaryContextSwitches
        self.readSyscalls = readSyscalls
    }

    public static func read(pid: Int32) -> ProcessCounters? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let io = (try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8)) ?? ""
        return ProcessCounters(pid: pid, voluntaryContextSwitches: field(status, "voluntary_ctxt_switches:"),
                               readSyscalls: field(io, "syscr:"))
    }

    static func field(_ text: String, _ name: String) -> Int {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Int(line.dropFirst(name.count).filter { !$0.isWhitespace }) ?? 0
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
