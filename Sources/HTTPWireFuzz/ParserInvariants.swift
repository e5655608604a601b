import HTTPWire

/// What must hold for every input, valid or not. A broken invariant is a parser bug.
enum ParserInvariants {
    struct Outcome: Equatable {
        var requests: [ParsedRequest]
        var violation: HTTPViolation?
        var insideRequest: Bool
        var consumed: Int
    }

    static func parse(_ bytes: [UInt8], pieces: [Range<Int>]) -> Outcome {
        var stream = RequestStreamParser()
        for piece in pieces { stream.feed(bytes[piece]) }
        return Outcome(requests: stream.requests, violation: stream.violation,
                       insideRequest: stream.isInsideRequest, consumed: stream.consumed)
    }

    /// Returns a description of the first broken invariant, or nil.
    static func check(_ bytes: [UInt8]) -> String? {
        let whole = parse(bytes, pieces: [0..<bytes.count])
        if whole.consumed > bytes.count { return "consumed \(whole.consumed) of \(bytes.count) bytes" }
        if let violation = whole.violation {
            if violation.streamOffset < 0 || violation.streamOffset > bytes.count {
                return "violation offset \(violation.streamOffset) outside the input"
            }
            if violation.reason.rfcSection.isEmpty || ![400, 413, 414, 417, 431, 501, 505].contains(violation.status) {
                return "violation \(violation) without a section or with an unexpected status"
            }
        }
        // Split-point invariance: two pieces at a point taken from the input, and byte by byte.
        if bytes.count > 1 {
            let split = Int(bytes.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 } % UInt32(bytes.count))
            let halves = parse(bytes, pieces: [0..<split, split..<bytes.count])
            if halves != whole { return "split at \(split) changes the outcome" }
        }
        if bytes.count <= 4096 {
            let bytewise = parse(bytes, pieces: bytes.indices.map { $0..<($0 + 1) })
            if bytewise != whole { return "byte-by-byte feeding changes the outcome" }
        }
        // An accepted request, written back canonically, must read the same.
        for request in whole.requests {
            let again = parse(RequestSerializer.serialize(request), pieces: [0..<RequestSerializer.serialize(request).count])
            guard again.violation == nil, again.requests.count == 1, let reparsed = again.requests.first else {
                return "re-serialized request is refused: \(again.violation.map(String.init(describing:)) ?? "count \(again.requests.count)")"
            }
            if !sameMeaning(request, reparsed) { return "re-serialized request reads differently" }
        }
        return nil
    }

    static func sameMeaning(_ a: ParsedRequest, _ b: ParsedRequest) -> Bool {
        a.method == b.method && a.target == b.target && a.targetForm == b.targetForm && a.path == b.path
            && a.query == b.query && a.authority == b.authority && a.version == b.version && a.fields == b.fields
            && a.framing == b.framing && a.keepAlive == b.keepAlive && a.expectsContinue == b.expectsContinue
            && a.body == b.body && a.trailers == b.trailers
    }
}
