import HTTP2Wire

extension CaseRunner {
    /// The HTTP/2 runner for `caseID`, cutting writes as `--fragment` says.
    func h2Runner(caseID: String) -> H2CaseRunner {
        H2CaseRunner(endpoint: h2Endpoint, timeout: timeout, quiet: quiet, authority: endpoint.authority,
                     pieces: { [self] bytes, bytewise in pieces(bytes, bytewise: bytewise, caseID: caseID) })
    }

    /// An HTTP/2 case: the exchange, its facts judged by the HTTP/2 verdict rules.
    func executeH2(_ testCase: CorpusCase) -> CaseResult {
        var result = CaseResult(testCase: testCase, verdict: .error, observed: nil, responses: [], received: [], sent: [],
                                durationMilliseconds: 0, notes: [])
        guard let script = testCase.h2 else {
            result.notes.append("an HTTP/2 case without HTTP/2 steps")
            return result
        }
        let runner = h2Runner(caseID: testCase.id)
        let exchange: H2CaseRunner.Exchange
        do {
            exchange = try runner.run(script)
        } catch {
            result.notes.append(error.description)
            return result
        }
        result.sent = exchange.sent
        result.received = exchange.received
        result.framesSent = exchange.framesSent
        result.framesReceived = exchange.framesReceived
        result.notes = exchange.notes
        result.tls = exchange.tls
        if let failure = exchange.openingFailed {
            result.notes.append(failure)
            result.verdictReason = "the HTTP/2 opening failed: \(failure)"
            return result
        }
        let observed = ObservedOutcome(h2: exchange.facts, ending: exchange.ending)
        result.observed = observed
        let judgement = VerdictPolicy.judge(testCase, observed: observed)
        result.verdict = judgement.verdict
        result.verdictReason = judgement.reason
        if let violation = exchange.facts.flowControlViolation {
            result.verdict = .fail
            result.verdictReason = violation + ": “A sender MUST NOT send a flow-controlled frame with a length that exceeds the space available in either of the flow-control windows advertised by the receiver.” (RFC 9113 §6.9.1)"
        }
        // Over h2c with prior knowledge a server may take bytes that are not the preface for HTTP/1.1
        // and answer so (the preface cases allow it); once TLS chose h2 by ALPN the connection is
        // HTTP/2 and the server owes its preface, so an HTTP/1.x answer is the wrong protocol.
        if exchange.answeredHTTP1 && exchange.tls?.alpn == "h2" {
            result.verdict = .fail
            result.verdictReason = "the server selected h2 by ALPN, then answered with HTTP/1.x instead of its connection preface: "
                + "“Once TLS negotiation is complete, both the client and the server MUST send a connection preface (Section 3.4).” (RFC 9113 §3.2)"
        }
        if testCase.canary && !h2CanaryAnswers() {
            result.verdict = .fail
            result.verdictReason = "the server stopped answering: an HTTP/2 GET on a fresh connection got no 2xx after this case"
            result.notes.append("canary: an HTTP/2 GET / on a fresh connection got no 2xx after this case")
        }
        result.runs = [CaseResult.RunRecord(verdict: result.verdict, observed: observed.description)]
        return result
    }

    /// A plain HTTP/2 GET on a fresh connection: is the server still healthy after a flood?
    func h2CanaryAnswers() -> Bool {
        var get = H2FrameSpec(type: HTTP2FrameType.headers.rawValue, flags: HTTP2FrameFlags([.endStream, .endHeaders]).rawValue, streamID: 1)
        get.body = .headerBlock(.fields(H2Field.request(method: "GET", path: "/")))
        guard let exchange = try? h2Runner(caseID: "").run(H2Script(steps: [.write(H2Write(parts: [.frame(get)]))])) else { return false }
        return exchange.facts.responses.contains { (200..<300).contains($0.status) }
    }

    /// Whether the target answers the HTTP/2 preface with SETTINGS (over TLS: with ALPN h2): nil when it
    /// does, else why not (HTTP/2 cases are then skipped with that note).
    public func probeHTTP2() -> String? {
        do {
            let exchange = try h2Runner(caseID: "").run(H2Script(steps: []), openingOnly: true)
            return exchange.openingFailed.map { "the target does not speak HTTP/2 here: \($0)" }
        } catch {
            return "the target does not speak HTTP/2 here: \(error.description)"
        }
    }
}
