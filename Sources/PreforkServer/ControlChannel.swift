import Glibc

/// The master↔worker channel: a SOCK_SEQPACKET socketpair, one `ControlMessage` per packet, so
/// no framing code is needed and a closed peer reads as EOF (the worker notices its master died).
struct ControlChannel {
    enum Received: Equatable {
        case message(ControlMessage)
        /// A packet that decodes to no message: the receiver logs it and reads on.
        case undecodable(ControlMessageDecodeError)
        case closed
        case wouldBlock
    }

    let fd: Int32

    /// Two connected ends, both non-blocking and close-on-exec (the spawner dup2s the worker's end).
    static func pair() throws(SystemError) -> (master: ControlChannel, worker: ControlChannel) {
        var fds: [Int32] = [0, 0]
        let type = Int32(SOCK_SEQPACKET.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw SystemError("socketpair") }
        return (ControlChannel(fd: fds[0]), ControlChannel(fd: fds[1]))
    }

    @discardableResult
    func send(_ message: ControlMessage) -> Bool {
        var bytes = message.wireBytes
        return bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    func receive() -> Received {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            do throws(ControlMessageDecodeError) {
                return .message(try ControlMessage(wire: buffer[0..<count]))
            } catch {
                return .undecodable(error)
            }
        }
        if count == 0 { return .closed }
        return errno == EAGAIN || errno == EINTR ? .wouldBlock : .closed
    }

    func close() { _ = Glibc.close(fd) }
}
