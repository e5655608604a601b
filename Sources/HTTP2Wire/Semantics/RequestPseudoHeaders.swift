/// The pseudo-header fields of RFC 9113 §8.3.
public enum PseudoHeader: UInt8, Sendable, CaseIterable {
    case method, scheme, authority, path
    /// §8.3.2: a response pseudo-header, never valid in a request.
    case status
    /// Anything else after the colon: §8.3 forbids pseudo-headers that are not defined.
    case unknown

    /// `name` starts with a colon.
    static func classify(_ name: UnsafeRawBufferPointer) -> PseudoHeader {
        switch name.count {
        case 5: return HPACKIndexingPolicy.equals(name, ":path") ? .path : .unknown
        case 7:
            if HPACKIndexingPolicy.equals(name, ":method") { return .method }
            if HPACKIndexingPolicy.equals(name, ":scheme") { return .scheme }
            return HPACKIndexingPolicy.equals(name, ":status") ? .status : .unknown
        case 10: return HPACKIndexingPolicy.equals(name, ":authority") ? .authority : .unknown
        default: return .unknown
        }
    }
}

/// Where each request pseudo-header sits in the field list, collected in one pass with the §8.3
/// ordering and uniqueness rules.
struct RequestPseudoHeaders {
    var method: Int?
    var scheme: Int?
    var authority: Int?
    var path: Int?

    /// Records the field at `index`; returns the violated rule, if any.
    mutating func record(_ kind: PseudoHeader, at index: Int, stream: UInt32) -> HTTP2Violation? {
        switch kind {
        case .method: return set(&method, index, stream)
        case .scheme: return set(&scheme, index, stream)
        case .authority: return set(&authority, index, stream)
        case .path: return set(&path, index, stream)
        case .status: return H2RequestViolation.make(stream, "pseudo-header-response-in-request", "§8.3")
        case .unknown: return H2RequestViolation.make(stream, "pseudo-header-unknown", "§8.3")
        }
    }

    private func set(_ slot: inout Int?, _ index: Int, _ stream: UInt32) -> HTTP2Violation? {
        guard slot == nil else { return H2RequestViolation.make(stream, "pseudo-header-duplicate", "§8.3.1") }
        slot = index
        return nil
    }
}
