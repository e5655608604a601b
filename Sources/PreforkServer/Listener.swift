import Glibc

/// Where to listen: `:8000`, `127.0.0.1:8000`, `[::1]:8000`, `localhost:0` (port 0 = ephemeral).
struct ListenAddress: Equatable, CustomStringConvertible {
    var host: String
    var port: UInt16

    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses the `--http` value; nil when it is not HOST:PORT.
    init?(parsing text: String) {
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = UInt16(portPart), !portPart.isEmpty, portPart.allSatisfy(\.isNumber) else { return nil }
        self.host = hostPart.isEmpty ? "0.0.0.0" : String(hostPart)
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The listening socket, created once by the master and held for its whole life (never shutdown():
/// that would reset queued connections for every process sharing it, uWSGI #1409).
enum Listener {
    /// Binds and listens; returns the fd (close-on-exec: workers get it through posix_spawn's dup2)
    /// and the bound port (useful with port 0).
    static func open(_ address: ListenAddress, backlog: Int) throws(SystemError) -> (fd: Int32, port: UInt16) {
        let fd = try bound(address, reusePort: false)
        guard listen(fd, Int32(backlog)) == 0 else {
            let error = SystemError("listen")
            Glibc.close(fd)
            throw error
        }
        // Workers accept with accept4(SOCK_NONBLOCK); the listener itself must not block either,
        // or a worker that lost the race would sleep inside accept.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return (fd, boundPort(fd))
    }

    /// `--accept reuseport`: the master binds a SO_REUSEPORT socket without listening on it. It keeps
    /// the port (and picks it when 0 was asked for) while only the workers' own sockets take connections.
    static func reserve(_ address: ListenAddress) throws(SystemError) -> (fd: Int32, port: UInt16) {
        let fd = try bound(address, reusePort: true)
        return (fd, boundPort(fd))
    }

    /// A socket bound to `address` (SO_REUSEADDR; IPv6 sockets IPv6-only), not yet listening.
    private static func bound(_ address: ListenAddress, reusePort: Bool) throws(SystemError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let host = address.host == "localhost" ? "127.0.0.1" : address.host
        let status = getaddrinfo(host, String(address.port), &hints, &list)
        guard status == 0, let info = list else {
            throw SystemError("cannot resolve '\(address.host)': \(String(cString: gai_strerror(status)))", code: 0)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) }
        if info.pointee.ai_family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = SystemError("bind \(address)")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// A worker's own SO_REUSEPORT listener on the address the master reserved (`like`).
    static func openReusePort(like reserved: Int32, backlog: Int) throws(SystemError) -> Int32 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(reserved, $0, &length) }
        }
        guard named == 0 else { throw SystemError("getsockname") }
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        if storage.ss_family == sa_family_t(AF_INET6) {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, Int32(backlog)) == 0 else {
            let error = SystemError("reuseport bind/listen")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Sets TCP_NODELAY on a listening socket. Linux copies the listener's TCP_NODELAY into every
    /// socket accept() returns, so the worker does not pay a setsockopt per connection (nginx pays it
    /// only for keep-alive and TLS). Idempotent: every worker sets it on the shared socket at start,
    /// which also covers listeners inherited from an older binary (SIGUSR2) and reuseport sockets.
    static func passNoDelayToAcceptedSockets(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// net.ipv4.tcp_migrate_req: whether closing a reuseport listener moves its queued connections
    /// to another listener of the group instead of resetting them.
    static func connectionMigrationEnabled() -> Bool {
        guard let file = fopen("/proc/sys/net/ipv4/tcp_migrate_req", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 8)
        guard fgets(&line, 8, file) != nil else { return false }
        return String(cString: line).hasPrefix("1")
    }

    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let family = storage.ss_family
        return withUnsafePointer(to: &storage) { pointer in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
    }

    /// net.core.somaxconn: the kernel silently caps a larger backlog, so a larger request is refused.
    static func systemMaxBacklog() -> Int? {
        guard let file = fopen("/proc/sys/net/core/somaxconn", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 32)
        guard fgets(&line, 32, file) != nil else { return nil }
        return Int(String(cString: line).trimmingCharacters(in: " \n"))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var result = Substring(self)
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return String(result)
    }
}
