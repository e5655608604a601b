import ArgumentParser
import Hammer

/// `--netns auto|on|off` for commands that start their own target: re-runs the command inside a
/// private network namespace when it can (this call then does not return: it exits with the inner
/// run's status); otherwise returns why the namespace is not used.
enum NamespaceOption {
    static func enter(_ setting: String, startsTarget: Bool) throws -> String? {
        guard ["auto", "on", "off"].contains(setting) else { throw UsageError(message: "--netns takes auto, on or off") }
        if NetworkNamespace.inside { return nil }
        if setting == "off" { return "--netns off" }
        if !startsTarget { return "the target was not started by cathammer, so it cannot run in a private namespace" }
        if let reason = NetworkNamespace.unavailableReason() {
            if setting == "on" { throw UsageError(message: "--netns on: \(reason)") }
            return reason
        }
        let status = try NetworkNamespace.rerun(executable: ExecutablePath.resolve(), arguments: Array(CommandLine.arguments.dropFirst()))
        throw ExitCode(status)
    }
}
