/// How a target's behaviour differs from what a strict server must do, worst first.
public enum FindingClass: String, Sendable, Codable, CaseIterable, Comparable {
    /// The target stopped answering, or a process of it died.
    case crash
    /// A different number of responses: the target found a request boundary the strict parser does
    /// not (request smuggling when a front-end frames the stream the strict way).
    case desync
    /// The same number of responses, but the target read a different body (echo-capable targets).
    case framing
    /// The target accepted a request a strict server must refuse.
    case lenient
    /// The target refused (or closed on) a request a strict server accepts.
    case overStrict = "over-strict"
    /// The target neither answered nor closed where a strict server answers.
    case hang

    public static func < (a: FindingClass, b: FindingClass) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// What a finding of this class means, for reports.
    public var meaning: String {
        switch self {
        case .crash: return "the target stopped answering or a process of it died"
        case .desync: return "the target answered a different number of requests than a strict server"
        case .framing: return "the target read a different body than the strict parser"
        case .lenient: return "the target accepted a request a strict server must refuse"
        case .overStrict: return "the target refused a request a strict server accepts"
        case .hang: return "the target neither answered nor closed"
        }
    }
}

/// The classifier's verdict on one execution.
public struct Classification: Sendable, Equatable {
    public var findingClass: FindingClass
    /// The oracle's reason code: a violation, `valid` or `incomplete`.
    public var reason: String
    /// What exactly differed, stable enough to tell findings apart (e.g. `extra-response`, `status-400`).
    public var detail: String
    /// One sentence for people.
    public var explanation: String
}
