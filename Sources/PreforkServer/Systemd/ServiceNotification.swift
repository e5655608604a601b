/// One field of the sd_notify protocol (sd_notify(3)): `NAME=VALUE`, several to a datagram, one a line.
/// The master sends them to systemd's NOTIFY_SOCKET under `Type=notify` / `Type=notify-reload`.
enum ServiceNotification: Equatable {
    /// Startup finished, or a reload finished (successful or not: either way the service serves).
    case ready
    /// A reload began. systemd ≥ 253 wants `MONOTONIC_USEC` beside it (CLOCK_MONOTONIC, µs), to
    /// tell this reload's READY=1 from an earlier one's.
    case reloading(monotonicMicroseconds: UInt64)
    /// The stop began.
    case stopping
    /// Free text for `systemctl status`.
    case status(String)
    /// The main process is now this pid (after a restart that changes the pid; a re-exec keeps it).
    case mainPID(Int32)

    var fields: [String] {
        switch self {
        case .ready: return ["READY=1"]
        case .reloading(let microseconds): return ["RELOADING=1", "MONOTONIC_USEC=\(microseconds)"]
        case .stopping: return ["STOPPING=1"]
        // A newline would end the field and start a bogus one.
        case .status(let text): return ["STATUS=" + text.map { $0.isNewline ? " " : String($0) }.joined()]
        case .mainPID(let pid): return ["MAINPID=\(pid)"]
        }
    }

    /// The datagram: the fields of every notification, newline-separated.
    static func datagram(_ notifications: [ServiceNotification]) -> String {
        notifications.flatMap(\.fields).joined(separator: "\n")
    }
}

/// Where NOTIFY_SOCKET points: a socket file, or (a leading `@`) a name in the abstract namespace.
enum NotifySocketAddress: Equatable {
    case path(String)
    case abstract(String)

    /// The bytes of `sun_path` and the address length to pass to sendto.
    var sunPathBytes: [UInt8] {
        switch self {
        case .path(let path): return Array(path.utf8) + [0]
        // Abstract: a leading NUL, and the length counts exactly the name (no terminator).
        case .abstract(let name): return [0] + Array(name.utf8)
        }
    }

    /// sun_path holds 108 bytes.
    static let maximumPathBytes = 108

    /// Parses the variable as sd_notify does for AF_UNIX; nil (with the reason) for what it cannot use.
    static func parse(_ value: String) -> Result<NotifySocketAddress, NotifySocketError> {
        let address: NotifySocketAddress
        if value.hasPrefix("/") {
            address = .path(value)
        } else if value.hasPrefix("@"), value.count > 1 {
            address = .abstract(String(value.dropFirst()))
        } else {
            return .failure(NotifySocketError(value: value, reason: "neither an absolute path nor an @abstract name"))
        }
        guard address.sunPathBytes.count <= maximumPathBytes else {
            return .failure(NotifySocketError(value: value, reason: "longer than the \(maximumPathBytes) bytes of sun_path"))
        }
        return .success(address)
    }
}

struct NotifySocketError: Error, Equatable, CustomStringConvertible {
    var value: String
    var reason: String
    var description: String { "NOTIFY_SOCKET '\(value)': \(reason); not notifying systemd" }
}
