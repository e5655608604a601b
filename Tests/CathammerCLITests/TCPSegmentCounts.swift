import Glibc

/// What the kernel counted on a TCP socket, from TCP_INFO: the segments that arrived, and those of
/// them that carried data. Read by offset (Linux `struct tcp_info` since 4.6) rather than through
/// Glibc's struct, which stops short of these fields.
struct TCPSegmentCounts {
    var segmentsIn: UInt32
    var dataSegmentsIn: UInt32

    init(_ fd: Int32) {
        var info = [UInt8](repeating: 0, count: 232)
        var length = socklen_t(info.count)
        let status = getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length)
        precondition(status == 0 && length >= 160, "TCP_INFO: \(String(cString: strerror(errno)))")
        func field(_ offset: Int) -> UInt32 {
            info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        }
        segmentsIn = field(140)
        dataSegmentsIn = field(152)
    }
}
