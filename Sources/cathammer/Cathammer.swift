import ArgumentParser
@preconcurrency import Glibc
import Logging

/// The one executable. Commands only wire the modules together.
@main
struct Cathammer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cathammer",
        abstract: "HTTP/1.1 hardening and conformance workbench: a strict reference server and a harness.",
        version: "0.1.0",
        subcommands: [Run.self, Fuzz.self, CorpusCommand.self, Report.self, Parse.self, Serve.self, Top.self, ReloadCheck.self, HerdCheck.self, WorkerCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; cathammer promises 2 for every usage or input error.
    static func main() {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        // ArgumentParser's --version prints a fixed string; ours also names the revision and the corpus.
        if Array(CommandLine.arguments.dropFirst()) == ["--version"] {
            print(VersionText.text)
            return
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            if let usage = error as? UsageError {
                fputs("cathammer: \(usage.message)\n", stderr)
                Glibc.exit(2)
            }
            if let exitCode = error as? ExitCode {
                Glibc.exit(exitCode.rawValue)
            }
            fputs(fullMessage(for: error) + "\n", stderr)
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// A bad flag, file or input: reported with what is wrong, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
