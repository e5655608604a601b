@preconcurrency import Glibc

/// What reload-check does, decided from its flags before anything starts: which server, which
/// reload, what the reference server is started with, what the load asks for, how the run is named.
/// Pure: the command parses flags, builds this, runs it and prints.
public struct ReloadPlan: Sendable {
    /// A flag combination that cannot run; the description is the usage message.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The server under test.
    public enum Server: Sendable, Equatable {
        /// `cathammer serve`, started with stats, an ini file and the kind's flags.
        case reference
        /// Another server, started with this shell command.
        case spawned(command: String)
        /// A server that already runs at HOST:PORT.
        case running(address: String)
    }

    /// The flags the plan is made from, as given.
    public struct Flags: Sendable {
        public var reload: ReloadKind = .hup
        public var reloadCommand: String?
        public var reloadSignal: String?
        public var spawn: String?
        public var target: String?
        public var pid: Int32?
        public var workers = 2
        public var maxRequests = 10
        public var serverArguments: [String] = []
        public var paths: [String] = []
        public var postPath: String?
        public var name: String?
        /// `--tls`: the server speaks https (the reference server is started with `--https`).
        public var tls = false

        public init() {}
    }

    public var server: Server
    public var kind: ReloadKind
    /// The signal --reload-signal sends (SIGHUP when none is named).
    public var signal: Int32
    public var flags: Flags

    public init(_ flags: Flags) throws(Problem) {
        if flags.reloadCommand != nil && flags.reloadSignal != nil {
            throw Problem(description: "--reload-cmd and --reload-signal exclude each other")
        }
        kind = flags.reloadCommand != nil ? .command : flags.reloadSignal != nil ? .signal : flags.reload
        guard flags.spawn == nil || flags.target == nil else { throw Problem(description: "--spawn and --target exclude each other") }
        server = flags.spawn.map { .spawned(command: $0) } ?? flags.target.map { .running(address: $0) } ?? .reference
        if kind.needsReferenceServer && server != .reference {
            throw Problem(description: "--reload \(kind.rawValue) needs the reference server (no --spawn or --target)")
        }
        if flags.target != nil && flags.pid == nil && kind != .command {
            throw Problem(description: "--target needs --reload-cmd, or --pid with --reload-signal or --reload")
        }
        if flags.tls && server == .reference
            && !["--tls-cert", "--tls-key"].allSatisfy({ name in flags.serverArguments.contains { $0.hasPrefix(name) } }) {
            throw Problem(description: "--tls with the reference server needs --server-arg=--tls-cert=FILE and --server-arg=--tls-key=FILE")
        }
        signal = SIGHUP
        if let name = flags.reloadSignal {
            guard let number = Self.signalNumber(name) else {
                throw Problem(description: "--reload-signal '\(name)' is not a signal name (HUP, USR2, …)")
            }
            signal = number
        }
        self.flags = flags
    }

    public var isReference: Bool { server == .reference }

    /// GET paths: as given, else routes of the reference server that read, compute and wait.
    public var paths: [String] { flags.paths.isEmpty ? (isReference ? ["/cats/1", "/cats/7", "/sleep?ms=10"] : ["/"]) : flags.paths }

    public var postPath: String { flags.postPath ?? (isReference ? "/echo" : "/") }

    /// The reference server's ini file; bad-config replaces it during a reload and restores this.
    public var goodIni: String { "[cathammer]\nprocesses = \(flags.workers)\n" }

    /// The `serve` arguments of the reference server ({port} is replaced when it is started).
    public func referenceArguments(iniPath: String, statsPort: UInt16, fifoPath: String?) -> [String] {
        var arguments = ["serve", flags.tls ? "--https" : "--http", "127.0.0.1:{port}", "--ini", iniPath, "--stats", "127.0.0.1:\(statsPort)"]
        if kind == .fifo, let fifoPath { arguments += ["--master-fifo", fifoPath] }
        if kind == .maxRequests { arguments += ["--max-requests", String(flags.maxRequests)] }
        return arguments + flags.serverArguments
    }

    /// A shell command line: the executable quoted, arguments with a space quoted.
    public static func shellCommand(executable: String, arguments: [String]) -> String {
        "'\(executable)' " + arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// How the reload is written in the reports.
    public func reloadDescription(masterPID: Int32) -> String {
        switch kind {
        case .command: return flags.reloadCommand ?? ""
        case .signal: return "kill -\(flags.reloadSignal ?? "HUP") \(masterPID)"
        default: return "--reload \(kind.rawValue)"
        }
    }

    /// The target's name in reports: --name, else what was started or addressed.
    public var label: String {
        if let name = flags.name { return name }
        switch server {
        case .reference: return "cathammer serve (reference server)"
        case .spawned(let command): return command
        case .running(let address): return address
        }
    }

    /// A signal by name (HUP, SIGHUP, hup) or number.
    public static func signalNumber(_ name: String) -> Int32? {
        let table: [String: Int32] = ["HUP": SIGHUP, "USR1": SIGUSR1, "USR2": SIGUSR2, "TERM": SIGTERM, "INT": SIGINT,
                                      "QUIT": SIGQUIT, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "WINCH": SIGWINCH]
        let upper = name.uppercased()
        return table[upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper] ?? Int32(name)
    }
}
