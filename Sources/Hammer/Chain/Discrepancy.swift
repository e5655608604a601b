/// How the two hops of a chain disagree (issue 17, item 3). Every class but `normalization` is a
/// FAIL: each stands on the origin's strict parser refusing a MUST (forwarded-invalid) or on a
/// demonstrated difference between what the client's bytes frame and what the origin received.
public enum DiscrepancyClass: String, Sendable, Codable, CaseIterable, Comparable {
    /// The front passed on bytes the strict origin refuses (its rejection names the RFC section).
    case forwardedInvalid = "forwarded-invalid"
    /// The origin framed more requests than the client sent, or was left mid-request on a
    /// connection still open after the case (the smuggling signal on the back hop).
    case requestCount = "request-count"
    /// The body the origin received differs from the body the client's framing meant.
    case framing
    /// A field line at the origin that no client field produced.
    case injectedField = "injected-field"
    /// An HTTP/2 `:method`, `:path`, `:authority` or `:scheme` with spaces, CR, LF or other bytes
    /// HTTP/1.1 reads as delimiters, forwarded into the origin's request line or Host.
    case pseudoHeaderLeakage = "pseudo-header-leakage"
    /// An HTTP/2 transfer-encoding forwarded as HTTP/1.1's (H2.TE), or a content-length that does
    /// not match the DATA forwarded (H2.CL).
    case h2TransferEncodingOrLength = "h2-te-cl"
    /// `Upgrade: h2c` reached the origin: an origin that honours it tunnels past the front.
    case upgradeH2C = "upgrade-h2c"
    /// The front rewrote something harmlessly (information only).
    case normalization

    /// Information only: never changes a verdict.
    public var informational: Bool { self == .normalization }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One disagreement between the hops, in words a reader can check against the three views.
public struct Discrepancy: Sendable, Equatable, Encodable {
    public var kind: DiscrepancyClass
    public var detail: String
    /// The rule or the evidence the class stands on (an RFC section, "desync").
    public var basis: String
    /// What makes two discrepancies of a class the same finding (a rejection reason, a field name,
    /// the way the count went wrong); not part of reports.
    public var key: String

    public init(_ kind: DiscrepancyClass, _ detail: String, basis: String, key: String = "") {
        self.kind = kind
        self.detail = detail
        self.basis = basis
        self.key = key
    }

    enum CodingKeys: String, CodingKey {
        case kind = "class", detail, basis
    }

    public var line: String { "[\(kind.rawValue)] \(detail)" }
}
