import COpenSSL

/// SHA-256 of a body, to compare with what an echo-capable target says it read.
enum BodyDigest {
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                copenssl_sha256(input.baseAddress ?? UnsafeRawPointer(out.baseAddress!), input.count, out.baseAddress) != 0
            }
        }
        precondition(ok, "SHA-256 failed")
        let hex = Array("0123456789abcdef")
        return String(digest.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0xF)]] })
    }
}
