import CathammerContract
import Foundation

/// TCP counters of the current network namespace (/proc/net/snmp, /proc/net/netstat). Inside a
/// private namespace they count only the server and the load, so their difference around a run is
/// kernel evidence: OutRsts = resets sent, ListenOverflows/ListenDrops = connections lost at accept.
public struct KernelCounters: Equatable, Sendable {
    public static let reported = ["Tcp:OutRsts", "Tcp:AttemptFails", "Tcp:EstabResets",
                                  "TcpExt:ListenOverflows", "TcpExt:ListenDrops"]

    public var values: [String: Int]

    public init(values: [String: Int]) { self.values = values }

    /// Reads both files; nil when they cannot be read.
    public static func read() -> KernelCounters? {
        guard let snmp = ProcFile.read("/proc/net/snmp"), let netstat = ProcFile.read("/proc/net/netstat") else { return nil }
        return parse(snmp + "\n" + netstat)
    }

    /// The "Proto: names" / "Proto: values" line pairs of both files.
    public static func parse(_ text: String) -> KernelCounters {
        var values: [String: Int] = [:]
        let lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        var index = 0
        while index + 1 < lines.count {
            let names = lines[index], numbers = lines[index + 1]
            if let proto = names.first, proto.hasSuffix(":"), numbers.first == proto, names.count == numbers.count,
               Int(numbers.dropFirst().first ?? "") != nil || numbers.count == 1 {
                for (name, number) in zip(names.dropFirst(), numbers.dropFirst()) {
                    values[proto + name] = Int(number)
                }
                index += 2
            } else {
                index += 1
            }
        }
        return KernelCounters(values: values)
    }

    /// `after - self` for the reported counters.
    public func delta(to after: KernelCounters) -> [String: Int] {
        var out: [String: Int] = [:]
        for key in Self.reported { out[key] = (after.values[key] ?? 0) - (values[key] ?? 0) }
        return out
    }
}
