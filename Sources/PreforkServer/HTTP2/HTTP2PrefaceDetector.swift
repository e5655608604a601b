import Glibc
import HTTP2Wire

/// Tells, from the first bytes of a cleartext connection, whether the client speaks HTTP/2 with prior
/// knowledge (its 24-byte preface, RFC 9113 §3.4) or HTTP/1.1. The HTTP/1.1 session asks it about the
/// bytes it already read, so choosing costs no extra system call and no peek.
enum HTTP2PrefaceDetector {
    enum Verdict: Equatable {
        case http2
        case http1
        /// A prefix of the preface so far: wait for more bytes.
        case undecided
    }

    static func judge(_ bytes: UnsafeRawBufferPointer) -> Verdict {
        let preface = HTTP2ConnectionPreface.bytes
        // The common case, a request line, is decided by its first byte.
        guard let first = bytes.first else { return .undecided }
        guard first == preface[0] else { return .http1 }
        let count = min(bytes.count, preface.count)
        let same = preface.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, count) == 0 }
        guard same else { return .http1 }
        return count == preface.count ? .http2 : .undecided
    }
}
