import CLinuxShim
@preconcurrency import Glibc

/// `--master-fifo PATH`, like uWSGI's: one-character commands written to a named pipe,
/// e.g. `echo r > PATH`. r reload · R re-exec the master · q graceful stop · Q fast stop ·
/// + / - one worker more / less · s log the stats.
final class MasterFIFO: EventHandler {
    enum Command: Equatable {
        case reload, reexec, stop, fastStop, addWorker, removeWorker, logStats
        case unknown(Character)

        init(_ character: Character) {
            switch character {
            case "r": self = .reload
            case "R": self = .reexec
            case "q": self = .stop
            case "Q": self = .fastStop
            case "+": self = .addWorker
            case "-": self = .removeWorker
            case "s": self = .logStats
            default: self = .unknown(character)
            }
        }

        /// Whitespace between commands (from `echo`) is ignored.
        static func parse(_ text: String) -> [Command] {
            text.filter { !$0.isWhitespace }.map(Command.init)
        }
    }

    let path: String
    private let readFD: Int32
    /// Held open so the pipe never reports EOF (and a ready, empty fd) when a writer leaves.
    private let keepAliveFD: Int32
    private let created: Bool
    private let handle: (Command) -> Void

    init(path: String, loop: EventLoop, handle: @escaping (Command) -> Void) throws(ServerConfigurationError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFIFO else {
                throw ServerConfigurationError("--master-fifo '\(path)' exists and is not a FIFO")
            }
            created = false
        } else {
            guard mkfifo(path, 0o600) == 0 else {
                throw ServerConfigurationError("--master-fifo '\(path)': \(String(cString: strerror(errno)))")
            }
            created = true
        }
        readFD = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        keepAliveFD = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard readFD >= 0, keepAliveFD >= 0 else {
            throw ServerConfigurationError("--master-fifo '\(path)': cannot open: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.handle = handle
        do {
            try loop.register(readFD, events: EPOLLIN.rawValue, handler: self)
        } catch {
            throw ServerConfigurationError("--master-fifo '\(path)': \(error)")
        }
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = read(readFD, &buffer, buffer.count)
            guard count > 0 else { return }
            for command in Command.parse(String(decoding: buffer[0..<count], as: UTF8.self)) { handle(command) }
        }
    }

    /// Closes the pipe; removes it when this process created it.
    func close() {
        _ = Glibc.close(readFD)
        _ = Glibc.close(keepAliveFD)
        if created { unlink(path) }
    }
}
