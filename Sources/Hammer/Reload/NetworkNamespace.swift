import Foundation
@preconcurrency import Glibc

/// A private network namespace for a run: the command re-executes itself under `unshare -n` with
/// loopback up, so the server and the load are alone and the kernel's TCP counters are theirs.
public enum NetworkNamespace {
    static let marker = "CATHAMMER_PRIVATE_NETNS"

    /// True in the re-executed process.
    public static var inside: Bool { getenv(marker) != nil }

    /// Why a private namespace cannot be had here, or nil when it can.
    public static func unavailableReason() -> String? {
        if geteuid() != 0 { return "not root: unshare -n needs CAP_SYS_ADMIN" }
        guard let unshare = which("unshare") else { return "unshare (util-linux) is not installed" }
        guard which("ip") != nil else { return "ip (iproute2) is not installed: cannot bring loopback up" }
        // A namespace may be refused (containers without CAP_SYS_ADMIN): try an empty one.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: unshare)
        probe.arguments = ["-n", "true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return "unshare cannot run" }
        probe.waitUntilExit()
        return probe.terminationStatus == 0 ? nil : "unshare -n was refused (status \(probe.terminationStatus))"
    }

    /// Runs this executable again with `arguments` in a new namespace; returns its exit status.
    /// Standard input, output and error pass through.
    public static func rerun(executable: String, arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: which("unshare") ?? "/usr/bin/unshare")
        process.arguments = ["-n", "--", "/bin/sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"", executable] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment[marker] = "1"
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in (path + ":/usr/sbin:/sbin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
