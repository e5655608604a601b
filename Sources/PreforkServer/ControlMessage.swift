/// Why a worker is replaced while it serves.
enum RecycleReason: String, Equatable, CaseIterable {
    /// The worker served its `--max-requests` (plus jitter); it asks for this one itself.
    case maxRequests = "max-requests"
    /// Older than `--max-worker-lifetime` (the master's watchdog decides).
    case lifetime
    /// Resident memory above `--reload-on-rss` (the master's watchdog decides).
    case memory
}

/// What master and worker say to each other over their `ControlChannel`, one message per packet.
/// The wire words are the ones every earlier image spoke, so a re-executed master (SIGUSR2) and
/// the workers it adopts, or a master whose binary was replaced under it, understand each other.
enum ControlMessage: Equatable {
    /// Worker → master: serving; only now does the worker count.
    case ready
    /// Worker → master: please start my replacement; I serve until it is READY.
    case recycle(reason: RecycleReason)
    /// Master → worker: stop accepting, finish what was accepted, keep idle connections for the grace.
    case retire
    /// Master → worker: graceful stop: as retire, but idle connections close now.
    case stop
    /// Master → worker: exit now.
    case quit

    var wireText: String {
        switch self {
        case .ready: return "READY"
        case .recycle(let reason): return "RECYCLE \(reason.rawValue)"
        case .retire: return "RETIRE"
        case .stop: return "STOP"
        case .quit: return "QUIT"
        }
    }

    var wireBytes: [UInt8] { Array(wireText.utf8) }

    /// Decodes one packet. Workers of earlier images say `READY <pid>`; the pid is accepted and
    /// dropped, since the master knows each channel's pid from the spawn.
    init(wire bytes: some Collection<UInt8>) throws(ControlMessageDecodeError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(Array(bytes)) }
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let verb = words.first, !verb.isEmpty else { throw .empty }
        let arguments = Array(words.dropFirst())
        func noArguments(_ message: ControlMessage) throws(ControlMessageDecodeError) -> ControlMessage {
            guard arguments.isEmpty else { throw .unexpectedArguments(verb: verb, arguments) }
            return message
        }
        switch verb {
        case "READY":
            let earlierImagePID = arguments.count == 1 && (Int32(arguments[0]) ?? 0) > 0
            self = earlierImagePID ? .ready : try noArguments(.ready)
        case "RECYCLE":
            guard arguments.count == 1 else { throw .unexpectedArguments(verb: verb, arguments) }
            guard let reason = RecycleReason(rawValue: arguments[0]) else { throw .unknownRecycleReason(arguments[0]) }
            self = .recycle(reason: reason)
        case "RETIRE": self = try noArguments(.retire)
        case "STOP": self = try noArguments(.stop)
        case "QUIT": self = try noArguments(.quit)
        default:
            throw .unknownVerb(verb)
        }
    }
}

/// A control packet that is not a `ControlMessage`: a bug on the other side, logged by the receiver.
enum ControlMessageDecodeError: Error, Equatable, CustomStringConvertible {
    case empty
    case notUTF8([UInt8])
    case unknownVerb(String)
    case unknownRecycleReason(String)
    case unexpectedArguments(verb: String, [String])

    var description: String {
        switch self {
        case .empty: return "empty control message"
        case .notUTF8(let bytes): return "control message is not UTF-8 (\(bytes.count) bytes)"
        case .unknownVerb(let verb): return "unknown control message '\(verb)'"
        case .unknownRecycleReason(let reason): return "unknown recycle reason '\(reason)'"
        case .unexpectedArguments(let verb, let arguments):
            return "unexpected arguments for \(verb): '\(arguments.joined(separator: " "))'"
        }
    }
}
