import CLinuxShim
import CathammerContract
@preconcurrency import Glibc

/// sd_notify by hand: one datagram per call on an AF_UNIX SOCK_DGRAM socket to NOTIFY_SOCKET.
/// Without the variable every call does nothing, as sd_notify does outside systemd. The variable
/// stays in the environment: a re-executed master (same pid) keeps notifying.
final class ServiceNotifier {
    private let address: NotifySocketAddress?
    private var fd: Int32 = -1
    /// Why the last datagram could not be sent, once (systemd gone is not worth a line per event).
    private var reportedFailure = false
    private let warn: (String) -> Void

    /// Reads NOTIFY_SOCKET; `warn` hears about an unusable value or a failed send.
    init(environment value: String?, warn: @escaping (String) -> Void) {
        self.warn = warn
        guard let value, !value.isEmpty else {
            address = nil
            return
        }
        switch NotifySocketAddress.parse(value) {
        case .success(let parsed): address = parsed
        case .failure(let error):
            warn(error.description)
            address = nil
        }
    }

    convenience init(warn: @escaping (String) -> Void) {
        self.init(environment: getenv("NOTIFY_SOCKET").map { String(cString: $0) }, warn: warn)
    }

    var isActive: Bool { address != nil }

    func send(_ notifications: [ServiceNotification]) {
        guard let address else { return }
        if fd < 0 {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return failed("socket") }
        }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = address.sunPathBytes
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let datagram = Array(ServiceNotification.datagram(notifications).utf8)
        let sent = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                // MSG_DONTWAIT: the master's loop never waits on systemd; a full queue loses the message (reported).
                datagram.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), target, length) }
            }
        }
        if sent == datagram.count {
            reportedFailure = false
        } else {
            failed("sendto")
        }
    }

    private func failed(_ call: String) {
        guard !reportedFailure else { return }
        reportedFailure = true
        warn("cannot notify systemd (\(call) NOTIFY_SOCKET: \(String(cString: strerror(errno))))")
    }

    /// CLOCK_MONOTONIC in microseconds, as RELOADING=1's MONOTONIC_USEC wants it.
    static func monotonicMicroseconds() -> UInt64 { MonotonicClock.now() / 1000 }

    deinit { if fd >= 0 { close(fd) } }
}
