/// One reading of /proc/PID/status: the master samples its workers' context switches and memory
/// from it, the herd check does the same for servers without a stats endpoint, and the tests read
/// signal masks. The kernel writes one `Name:<tab>value` line per field.
public struct ProcessStatusFile: Sendable, Equatable {
    private let fields: [String: String]

    /// Nil when the process does not exist (any more) or /proc is not mounted.
    public static func read(pid: Int32) -> ProcessStatusFile? {
        guard pid > 0, let text = ProcFile.read("/proc/\(pid)/status") else { return nil }
        return ProcessStatusFile(text: text)
    }

    public init(text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            fields[String(line[..<colon])] = String(value)
        }
        self.fields = fields
    }

    /// The text after `name:`, without the leading whitespace (`4212 kB`, `0000000000004a02`).
    public func value(_ name: String) -> String? { fields[name] }

    /// The first word of the field as a decimal number (units such as `kB` follow it).
    public func number(_ name: String) -> Int? {
        value(name)?.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
    }

    /// A signal set (`SigBlk`, `SigIgn`, `SigCgt`, `SigPnd`): bit N-1 is signal N.
    public func signalMask(_ name: String) -> UInt64? { value(name).flatMap { UInt64($0, radix: 16) } }

    /// Sleeps, so wakeups: the herd shows here, not in EAGAIN counts. Zero when not reported.
    public var voluntaryContextSwitches: Int { number("voluntary_ctxt_switches") ?? 0 }

    /// The scheduler state's letter (`State:\tS (sleeping)`): R running, S sleeping, D disk wait, Z zombie…
    public var state: Character? { value("State")?.first }

    /// Resident memory in bytes; zero when not reported (a zombie has no VmRSS line).
    public var residentBytes: Int { (number("VmRSS") ?? 0) * 1024 }
}
