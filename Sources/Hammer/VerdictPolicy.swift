/// Turns what a case observed into a verdict. A FAIL is what a server author acts on, so it is kept
/// for two things only (issue 12): a broken MUST / MUST NOT, and a desync signal, whatever the
/// case's level. Everything else the case did not list is at most a WARN.
public enum VerdictPolicy {
    public struct Judgement: Sendable, Equatable {
        public var verdict: Verdict
        /// Why the verdict is what it is, in one line (empty for a listed PASS or WARN).
        public var reason: String?
    }

    /// The verdict for `observed`, before the echo framing, decoding and canary checks.
    public static func judge(_ testCase: CorpusCase, observed: ObservedOutcome) -> Judgement {
        if testCase.wireProtocol == .h2 { return judgeH2(testCase, observed: observed) }
        let strictRefuses = testCase.pass.contains(where: \.isRefusal)
        if testCase.pass.contains(where: { $0.matches(observed) }) { return Judgement(verdict: .pass, reason: nil) }
        if testCase.warn.contains(where: { $0.matches(observed) }) {
            // Even a listed refusal is never worse than a 2xx the same case passes.
            if strictRefuses && observed.isRefusalAndClose && bestSuccessVerdict(testCase) == .pass {
                return Judgement(verdict: .pass, reason: "a safe refusal, which is never judged worse than a 2xx this case passes")
            }
            return Judgement(verdict: .warn, reason: nil)
        }

        // Desync signals fail at every level.
        let expectedMost = max(1, (testCase.pass + testCase.warn).map(\.responseCount).max() ?? 1)
        if observed.statuses.count > expectedMost {
            return Judgement(verdict: .fail, reason: "desync: \(observed.statuses.count) responses where at most \(expectedMost) "
                             + "can be right: bytes a strict server does not frame as a request were answered as one")
        }
        let strictCloses = testCase.pass.allSatisfy { $0.mustClose == true }
        if testCase.framing && strictCloses && observed.ending == .open {
            return Judgement(verdict: .fail, reason: observed.statuses.isEmpty
                             ? "desync: no answer and no close after a framing error: the server is still reading a body the strict parser does not frame"
                             : "desync: the connection stayed open after a framing error: the next bytes would be read from the wrong place")
        }

        // A safe refusal is never worse than a 2xx in a case whose strict answer is a refusal.
        if strictRefuses && observed.isRefusalAndClose {
            let byCode = testCase.statusMatters ? levelVerdict(testCase) : .warn
            let verdict = [byCode, bestSuccessVerdict(testCase)].min { $0.severity < $1.severity } ?? byCode
            return Judgement(verdict: verdict, reason: verdict == .pass
                             ? "refused with another code, which a 2xx would also pass"
                             : testCase.statusMatters && verdict == .fail
                                ? "refused with another code, and this case is about the code: \(testCase.level) broken"
                                : "refused with another code (a safe refusal: the connection closed)")
        }
        if strictRefuses && observed.statuses.count == 1 && observed.statuses[0] >= 400 && !testCase.statusMatters {
            // Refused but left open, outside framing cases: the request was not processed and no
            // further bytes were answered (that would be an extra response).
            return Judgement(verdict: .warn, reason: "refused (with another code or without closing)")
        }
        if testCase.pass.contains(where: { $0.isClosedPrefix(of: observed) }) {
            // A server MAY close a connection at any time (RFC 9112 §9.5): answering the first
            // requests and closing is safe; the rest were neither answered nor misread.
            return Judgement(verdict: .warn, reason: "closed before answering every request (a server MAY close at any time)")
        }
        let verdict = levelVerdict(testCase)
        return Judgement(verdict: verdict, reason: verdict == .fail
                         ? "MUST broken: the outcome is not one the RFC allows"
                         : "\(testCase.level) not followed: the RFC allows this, but it is not the strict answer")
    }

    /// A miss on a MUST case fails; on SHOULD, MAY and POLICY it warns.
    static func levelVerdict(_ testCase: CorpusCase) -> Verdict { testCase.level == "MUST" ? .fail : .warn }

    /// The best verdict any single 2xx response gets in this case.
    static func bestSuccessVerdict(_ testCase: CorpusCase) -> Verdict {
        if testCase.pass.contains(where: \.isSingleSuccess) { return .pass }
        if testCase.warn.contains(where: \.isSingleSuccess) { return .warn }
        return levelVerdict(testCase)
    }
}
