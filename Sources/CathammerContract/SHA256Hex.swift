import COpenSSL

/// SHA-256 as lower-case hex: the `/echo` view's `body_sha256`, and what the harness computes over
/// the body the strict parser framed to compare with it.
public enum SHA256Hex {
    public static func of(_ bytes: UnsafeRawBufferPointer) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        // An empty buffer may have no base address; OpenSSL wants a pointer all the same.
        let ok = withUnsafeBytes(of: 0 as UInt8) { anywhere in
            digest.withUnsafeMutableBufferPointer { out in
                copenssl_sha256(bytes.baseAddress ?? anywhere.baseAddress, bytes.count, out.baseAddress) != 0
            }
        }
        precondition(ok, "SHA-256 failed")
        return hex(digest)
    }

    public static func of(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { of($0) } }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
