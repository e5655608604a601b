import CLinuxShim
@preconcurrency import Glibc

/// Socket activation (sd_listen_fds(3)): systemd opens the listeners (a .socket unit's
/// ListenStream=) and passes them from fd 3 on, with LISTEN_FDS (how many), LISTEN_PID (for whom:
/// a variable inherited by some other process is not ours) and LISTEN_FDNAMES (FileDescriptorName=,
/// colon-separated). The sockets outlive the service: connections made while it restarts wait in
/// their queue.
enum SocketActivation {
    static let firstDescriptor: Int32 = 3
    static let variables = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    struct PassedSocket: Equatable {
        var fd: Int32
        /// FileDescriptorName=, or "unknown" as sd_listen_fds_with_names says when there is none.
        var name: String
    }

    /// The passed descriptors, or nil when nothing was passed to this process.
    static func passed(listenPID: String?, listenFDs: String?, listenFDNames: String?,
                       ownPID: Int32) throws(ServerConfigurationError) -> [PassedSocket]? {
        guard let listenPID, let listenFDs else { return nil }
        guard let pid = Int32(listenPID), pid > 0 else {
            throw ServerConfigurationError("LISTEN_PID '\(listenPID)' is not a process id")
        }
        // Meant for another process (a parent's, inherited): ignored, as sd_listen_fds does.
        guard pid == ownPID else { return nil }
        guard let count = Int(listenFDs), count >= 0, count <= Int(Master.maxListeners) else {
            throw ServerConfigurationError("LISTEN_FDS '\(listenFDs)' is not a number of descriptors from 0 to \(Master.maxListeners)")
        }
        guard count > 0 else { return nil }
        let names = listenFDNames.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        guard names.isEmpty || names.count == count else {
            throw ServerConfigurationError("LISTEN_FDNAMES '\(listenFDNames ?? "")' names \(names.count) descriptors, LISTEN_FDS says \(count)")
        }
        return (0..<count).map { index in
            PassedSocket(fd: firstDescriptor + Int32(index), name: names.isEmpty || names[index].isEmpty ? "unknown" : names[index])
        }
    }

    /// Reads the variables and removes them, so that neither the workers nor a re-executed master
    /// (which gets its listeners from the handover) take them for theirs.
    static func passedFromEnvironment() throws(ServerConfigurationError) -> [PassedSocket]? {
        func value(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        let result = try passed(listenPID: value("LISTEN_PID"), listenFDs: value("LISTEN_FDS"),
                                listenFDNames: value("LISTEN_FDNAMES"), ownPID: getpid())
        for name in variables { unsetenv(name) }
        return result
    }

    /// A passed socket with the address it is bound to (nil: not a listening TCP socket).
    struct Candidate: Equatable {
        var socket: PassedSocket
        var endpoint: SocketEndpoint?
    }

    /// A passed socket given the place of a listener.
    struct Assignment: Equatable {
        var fd: Int32
        var scheme: RequestScheme
        /// The host as clients write it in a URL.
        var host: String
    }

    /// Pairs the passed sockets with the configured listeners by the address each is bound to
    /// (`resolve` turns a configured address into one; port 0 matches any port). With no
    /// `--http`/`--https` configured every passed socket is taken, as http, in the order passed.
    /// Every configured listener needs a socket and every socket a listener: anything else is a
    /// unit file and a command line that disagree, refused before anything starts.
    static func assign(_ candidates: [Candidate], configured: [ListenerConfig], configuredByDefault: Bool,
                       resolve: (ListenAddressValue) -> SocketEndpoint?) throws(ServerConfigurationError) -> [Assignment] {
        for candidate in candidates where candidate.endpoint == nil {
            throw ServerConfigurationError("systemd passed descriptor \(candidate.socket.fd) (\(candidate.socket.name)) that is not a "
                + "listening TCP socket; cathammer serve takes ListenStream= sockets only")
        }
        let passedText = candidates.map { "\($0.endpoint!) (fd \($0.socket.fd), \($0.socket.name))" }.joined(separator: ", ")
        if configuredByDefault {
            return candidates.map { Assignment(fd: $0.socket.fd, scheme: .http, host: $0.endpoint!.hostForURL) }
        }
        var unclaimed = candidates
        var assignments: [Assignment] = []
        for listener in configured {
            let flag = listener.scheme == .https ? "--https" : "--http"
            guard let wanted = resolve(listener.address) else {
                throw ServerConfigurationError("\(flag) '\(listener.address.text)': cannot resolve the address to match it with the passed sockets")
            }
            guard let index = unclaimed.firstIndex(where: { $0.endpoint!.matches(wanted) }) else {
                throw ServerConfigurationError("\(flag) '\(listener.address.text)': systemd passed no socket bound there (it passed "
                    + "\(passedText)); make the socket unit's ListenStream= and the --http/--https flags agree, or give no "
                    + "--http/--https to take every passed socket")
            }
            let candidate = unclaimed.remove(at: index)
            assignments.append(Assignment(fd: candidate.socket.fd, scheme: listener.scheme, host: listener.address.hostForURL))
        }
        if let extra = unclaimed.first {
            throw ServerConfigurationError("systemd passed a socket bound to \(extra.endpoint!) (fd \(extra.socket.fd), \(extra.socket.name)) "
                + "that no --http/--https names; add it to the flags or remove it from the socket unit")
        }
        return assignments
    }
}

/// An IP address (numeric, canonical) and port: what getsockname says of a socket, or what a
/// configured listen address resolves to.
struct SocketEndpoint: Equatable, CustomStringConvertible {
    var family: Int32
    var host: String
    var port: UInt16

    var description: String { family == AF_INET6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The host as clients write it in a URL: a wildcard address is reached on loopback.
    var hostForURL: String { ListenAddressValue(description)?.hostForURL ?? host }

    /// The configured side may ask for port 0 (any port).
    func matches(_ configured: SocketEndpoint) -> Bool {
        family == configured.family && host == configured.host && (configured.port == 0 || port == configured.port)
    }

    /// The address a listening TCP socket is bound to; nil for anything else (a datagram or unix
    /// socket, one that does not listen).
    init?(listeningSocket fd: Int32) {
        var type: Int32 = 0
        var accepting: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) == 0, type == Int32(SOCK_STREAM.rawValue) else { return nil }
        size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) == 0, accepting == 1 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { return nil }
        self.init(storage: storage)
    }

    /// A configured address as Listener.open would bind it (the first getaddrinfo answer).
    init?(resolving value: ListenAddressValue) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let host = value.address.host == "localhost" ? "127.0.0.1" : value.address.host
        guard getaddrinfo(host, String(value.port), &hints, &list) == 0, let info = list else { return nil }
        defer { freeaddrinfo(list) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: info.pointee.ai_addr, count: Int(info.pointee.ai_addrlen)))
        }
        self.init(storage: storage)
    }

    init(family: Int32, host: String, port: UInt16) {
        self.family = family
        self.host = host
        self.port = port
    }

    private init?(storage: sockaddr_storage) {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            let (address, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ($0.pointee.sin_addr, UInt16(bigEndian: $0.pointee.sin_port)) }
            }
            var copy = address
            guard inet_ntop(AF_INET, &copy, &text, socklen_t(text.count)) != nil else { return nil }
            self.init(family: AF_INET, host: Self.text(text), port: port)
        case AF_INET6:
            let (address, port) = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ($0.pointee.sin6_addr, UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            var copy = address
            guard inet_ntop(AF_INET6, &copy, &text, socklen_t(text.count)) != nil else { return nil }
            self.init(family: AF_INET6, host: Self.text(text), port: port)
        default:
            return nil
        }
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
