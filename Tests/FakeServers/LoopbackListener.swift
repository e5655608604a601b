import Foundation
import Glibc

/// A listening socket on an ephemeral 127.0.0.1 port, for the fake servers the tests start.
public enum LoopbackListener {
    /// The socket and the port the kernel chose.
    public static func open(backlog: Int32 = 128) throws -> (fd: Int32, port: UInt16) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, backlog) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        return (listener, UInt16(bigEndian: address.sin_port))
    }

    /// Accepts on `listener` (on a thread of its own) until `stop`, handing each connection and its
    /// accept index (0-based) to `handle` on a thread of its own.
    public static func serve(_ listener: Int32, _ handle: @escaping @Sendable (_ fd: Int32, _ index: Int) -> Void) {
        Thread {
            var index = 0
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                let accepted = index
                Thread { handle(client, accepted) }.start()
                index += 1
            }
        }.start()
    }

    /// Ends the accept loop (accept fails once the socket is shut down).
    public static func stop(_ listener: Int32) {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
