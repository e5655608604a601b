import HTTP2Wire

/// The verdict of an HTTP/2 case, by the rules of `VerdictPolicy` read in HTTP/2's terms: a listed
/// outcome passes or warns; another way of refusing what the strict answer refuses (another error
/// code, a connection error for a stream error, a bare close, a 4xx) is a safe refusal and warns; what
/// is left fails on a MUST case and warns on the others.
extension VerdictPolicy {
    static func judgeH2(_ testCase: CorpusCase, observed: ObservedOutcome) -> Judgement {
        guard let facts = observed.h2 else {
            return Judgement(verdict: .error, reason: "no HTTP/2 exchange was observed")
        }
        if testCase.pass.contains(where: { $0.matches(observed) }) { return Judgement(verdict: .pass, reason: nil) }
        if testCase.warn.contains(where: { $0.matches(observed) }) { return Judgement(verdict: .warn, reason: nil) }

        let strict = testCase.pass.compactMap(\.h2)
        // A success the strict answer itself allows (the response to a request completed before the
        // offending frame, "2xx GOAWAY STREAM_CLOSED") is not the offending frame processed.
        let allowedSuccesses = strict.map { pattern in
            pattern.statuses.filter { status in
                switch status {
                case .exact(let value): return value < 400
                case .hundred(let digit): return digit < 4
                }
            }.count
        }.max() ?? 0
        let processed = facts.statuses.filter { $0 < 400 }.count > allowedSuccesses
        let closed = observed.ending != .open
        if !processed && strict.contains(where: \.isConnectionError) {
            if let code = facts.connectionError {
                return Judgement(verdict: .warn, reason: "a connection error with \(code.name), not the code the RFC names (a safe refusal)")
            }
            if closed {
                return Judgement(verdict: .warn, reason: "the connection was closed without a GOAWAY: RFC 9113 §5.4.1 says an endpoint SHOULD send one first")
            }
        }
        if !processed && strict.contains(where: \.isStreamError) {
            let codes = Set(strict.compactMap(\.errorCode))
            if let code = facts.connectionError {
                if codes.contains(code) {
                    return Judgement(verdict: .pass, reason: "a connection error with the expected code: an endpoint MAY treat a stream error as a connection error (RFC 9113 §5.4.1)")
                }
                return Judgement(verdict: .warn, reason: "a connection error with \(code.name) for a stream error (a safe refusal)")
            }
            if let code = facts.streamErrors.first {
                return Judgement(verdict: .warn, reason: "the stream was reset with \(code.name), not the code the RFC names (a safe refusal)")
            }
            if let status = facts.statuses.first {
                return Judgement(verdict: .warn, reason: "refused with a \(status) response instead of resetting the stream (a safe refusal)")
            }
            if closed {
                return Judgement(verdict: .warn, reason: "the connection was closed instead of resetting the stream (a safe refusal)")
            }
        }
        let verdict = levelVerdict(testCase)
        let what = observed.description
        return Judgement(verdict: verdict, reason: verdict == .fail
                         ? "MUST broken: the server answered \(what), which the RFC does not allow here"
                         : "\(testCase.level) not followed: the RFC allows \(what), but it is not the strict answer")
    }
}
