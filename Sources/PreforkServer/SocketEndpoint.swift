import CLinuxShim
@preconcurrency import Glibc

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
