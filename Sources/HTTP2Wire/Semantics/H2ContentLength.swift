/// The content-length fields of one request, read as they come (RFC 9110 §8.6, RFC 9113 §8.1.1).
struct H2ContentLength {
    private(set) var value: Int?
    private(set) var violation: HTTP2Violation?

    /// `1*DIGIT` per field, one field per request. Identical repeats MAY be collapsed (RFC 9110
    /// §8.6); the strict side refuses them as the HTTP/1.1 parser does, since a hop that reads
    /// only one of several values is how CL.CL desync starts.
    mutating func read(_ bytes: UnsafeRawBufferPointer, stream: UInt32) {
        guard violation == nil else { return }
        guard !bytes.isEmpty else {
            violation = H2RequestViolation.make(stream, "content-length-invalid", "§8.1.1")
            return
        }
        var parsed = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else {
                violation = H2RequestViolation.make(stream, "content-length-invalid", "§8.1.1")
                return
            }
            let (times10, overflowA) = parsed.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = times10.addingReportingOverflow(Int(byte - 0x30))
            guard !overflowA && !overflowB else {
                violation = H2RequestViolation.make(stream, "content-length-overflow", "§8.1.1")
                return
            }
            parsed = sum
        }
        if let previous = value {
            violation = H2RequestViolation.make(stream, previous == parsed ? "content-length-repeated" : "content-length-conflict",
                                                "§8.1.1")
            return
        }
        value = parsed
    }
}
