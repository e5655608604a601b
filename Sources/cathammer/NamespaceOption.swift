import ArgumentParser
import Hammer

/// `--netns auto|on|off` for commands that start their own target: re-runs the command inside a
/// private network namespace when it can (this call then does not return: it exits with the inner
/// run's status); otherwise returns why the namespace is not used.
enum NamespaceOption {
    /// `--netns`: a private namespace when it can be had (auto), always (on, else a usage error), never (off).
    enum Setting: String, CaseIterable, ExpressibleByArgument {
        case auto, on, off
    }

    static func enter(_ setting: Setting, startsTarget: Bool) throws -> String? {
        if NetworkNamespace.inside { return nil }
        if setting == .off { return "--netns off" }
        if !startsTarget { return "the target was not started by cathammer, so it cannot run in a private namespace" }
        if let reason = NetworkNamespace.unavailableReason() {
            if setting == .on { throw UsageError(message: "--netns on: \(reason)") }
            return reason
        }
        let status = try NetworkNamespace.rerun(executable: ExecutablePath.resolve(), arguments: Array(CommandLine.arguments.dropFirst()))
        throw ExitCode(status)
    }
}
