import Glibc

/// A process's counters from /proc/PID/status.
struct ProcessStatus: Equatable {
    var voluntaryContextSwitches: Int
    var residentBytes: Int

    static func read(pid: Int32) -> ProcessStatus? {
        guard pid > 0, let file = fopen("/proc/\(pid)/status", "r") else { return nil }
        defer { fclose(file) }
        var status = ProcessStatus(voluntaryContextSwitches: 0, residentBytes: 0)
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix("voluntary_ctxt_switches:") {
                status.voluntaryContextSwitches = Self.number(text)
            } else if text.hasPrefix("VmRSS:") {
                status.residentBytes = Self.number(text) * 1024
            }
        }
        return status
    }

    private static func number(_ line: String) -> Int {
        Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).dropFirst().first ?? "") ?? 0
    }
}
