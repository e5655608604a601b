import ArgumentParser
@preconcurrency import Glibc
import PreforkServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the strict reference pre-fork server: a master and its worker processes.",
        discussion: """
            Signals to the master: SIGTERM stops gracefully (in-flight requests finish, exit 0), \
            SIGINT / SIGQUIT stop at once. Every response carries X-Worker: <id>/<pid>/<generation>.
            """
    )

    @OptionGroup var options: ServeOptions

    func run() throws {
        let config = try options.serverConfig()
        let executable = try ExecutablePath.resolve()
        // Workers get the serve options exactly as given, so they build the same configuration.
        let arguments = Array(CommandLine.arguments.drop { $0 != "serve" }.dropFirst())
        let master = try Master(config: config, executable: executable, workerArguments: arguments) { line in
            fputs("cathammer: \(line)\n", stderr)
        }
        do {
            let code = try master.run { port in
                var line = "cathammer serve: ready on http://\(config.address.hostForURL):\(port) (\(config.processes) workers)"
                if let stats = config.statsAddress, let statsPort = master.statsPort {
                    line += ", stats on http://\(stats.hostForURL):\(statsPort)"
                }
                print(line)
                fflush(stdout)
            }
            throw ExitCode(code)
        } catch let error as ServerConfigurationError {
            throw UsageError(message: error.description)
        }
    }
}

/// The hidden command the master spawns for each worker.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", shouldDisplay: false)

    @OptionGroup var options: ServeOptions
    @Option var workerId: Int
    @Option var generation: Int
    @Option var listenerFd: Int32
    @Option var controlFd: Int32
    @Option var scoreboardFd: Int32?
    @Option var scoreboardSlots = 1
    @Option var scoreboardSlot = 0

    func run() throws {
        let config = try options.serverConfig()
        throw ExitCode(WorkerProcess.run(
            config: config, id: workerId, generation: generation, listenerFD: listenerFd, controlFD: controlFd,
            scoreboardFD: scoreboardFd, scoreboardSlots: scoreboardSlots, scoreboardSlot: scoreboardSlot))
    }
}

enum ExecutablePath {
    /// The running binary, resolved once at start: after an upgrade /proc/self/exe names a deleted file.
    static func resolve() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw UsageError(message: "cannot resolve /proc/self/exe") }
        return String(cString: buffer)
    }
}
