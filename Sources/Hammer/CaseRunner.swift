import CathammerContract
@preconcurrency import Glibc
import HTTPWire

/// What running one case produced.
public struct CaseResult: Sendable {
    public var testCase: CorpusCase
    public var verdict: Verdict
    public var observed: ObservedOutcome?
    public var responses: [ResponseMessage]
    public var received: [UInt8]
    public var sent: [UInt8]
    public var durationMilliseconds: Int
    public var notes: [String]
    /// Why the verdict is what it is when the outcome was not listed in the case (see `VerdictPolicy`).
    public var verdictReason: String? = nil
    /// With `--repeat N`: every run's verdict and outcome, in order (one entry without it).
    public var runs: [RunRecord] = []
    /// HTTP/2 cases: every frame sent and received, decoded, one line each.
    public var framesSent: [String] = []
    public var framesReceived: [String] = []

    /// One run of a case, as kept for a repeated case.
    public struct RunRecord: Sendable, Equatable {
        public var verdict: Verdict
        public var observed: String
    }

    /// The verdict that decides the exit status: for FLAKY, the worst verdict of its runs.
    public var worstVerdict: Verdict {
        guard verdict == .flaky else { return verdict }
        return runs.map(\.verdict).max { $0.severity < $1.severity } ?? .flaky
    }

    /// Every distinct outcome seen, in the order first seen ("400 close (PASS)").
    public var outcomesSeen: [String] {
        var seen: [String] = []
        for run in runs where !seen.contains("\(run.observed) (\(run.verdict.rawValue))") {
            seen.append("\(run.observed) (\(run.verdict.rawValue))")
        }
        return seen
    }

    /// Several runs of one case: the first run's details, FLAKY when the outcome or verdict changed.
    static func combining(_ results: [CaseResult]) -> CaseResult {
        guard var combined = results.first else { preconditionFailure("no run to combine") }
        combined.runs = results.map { RunRecord(verdict: $0.verdict, observed: $0.observed?.description ?? "nothing") }
        let distinct = Set(combined.runs.map { "\($0.verdict.rawValue) \($0.observed)" })
        if distinct.count > 1 {
            combined.verdict = .flaky
            combined.verdictReason = "the outcome changed between \(results.count) runs: \(combined.outcomesSeen.joined(separator: ", "))"
            combined.notes = Array(Set(results.flatMap(\.notes))).sorted()
        } else if let worst = results.max(by: { $0.verdict.severity < $1.verdict.severity }) {
            // Same outcome every time: keep the run whose notes explain the verdict best.
            let runs = combined.runs
            combined = worst
            combined.runs = runs
        }
        combined.durationMilliseconds = results.map(\.durationMilliseconds).reduce(0, +)
        return combined
    }
}

/// How the bytes of a `send` step are cut into writes: the verdict must not depend on it.
public enum FragmentMode: String, Sendable, CaseIterable {
    /// One write per step.
    case none
    /// One byte per write.
    case bytewise
    /// A few cuts at points drawn from the seed and the case id (reproducible).
    case random
}

/// Runs one case over a raw socket: the bytes exactly as written, responses read with the wire
/// parser until the server closes or goes quiet, every response counted.
public struct CaseRunner: Sendable {
    public var fragment: FragmentMode = .none
    public var seed: UInt64 = 0
    public var host: String
    public var port: UInt16
    /// Longest wait for the first response (and for anything after a pause).
    public var timeout: Double
    /// After a complete response, how long to wait for another one (one too many is the desync signal).
    public var quiet: Double
    /// What the target offers; cases that need something else are skipped.
    public var offers: Set<CorpusCase.Requirement> = []
    /// How connections are opened (cleartext TCP by default; the seam for TLS).
    public var connector: CaseConnector = CaseConnectors.tcp
    /// Set when the target does not speak HTTP/2 this way: HTTP/2 cases are skipped with this note.
    public var h2Unavailable: String?

    public init(host: String, port: UInt16, timeout: Double = 5, quiet: Double = 0.6) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.quiet = quiet
    }

    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public func run(_ testCase: CorpusCase) -> CaseResult {
        let missing = testCase.needs.filter { !offers.contains($0) }
        guard missing.isEmpty else {
            return CaseResult(testCase: testCase, verdict: .skip, observed: nil, responses: [], received: [], sent: [],
                              durationMilliseconds: 0,
                              notes: ["needs \(missing.map(\.rawValue).joined(separator: ", ")), which this target was not said to offer (--offers)"])
        }
        if testCase.wireProtocol == .h2, let h2Unavailable {
            return CaseResult(testCase: testCase, verdict: .skip, observed: nil, responses: [], received: [], sent: [],
                              durationMilliseconds: 0, notes: [h2Unavailable])
        }
        let started = MonotonicClock.now()
        var result = testCase.wireProtocol == .h2 ? executeH2(testCase) : execute(testCase)
        result.durationMilliseconds = MonotonicClock.milliseconds(since: started)
        return result
    }

    private func execute(_ testCase: CorpusCase) -> CaseResult {
        var result = CaseResult(testCase: testCase, verdict: .error, observed: nil, responses: [], received: [],
                                sent: [], durationMilliseconds: 0, notes: [])
        let client: RawSocketClient
        do {
            client = try RawSocketClient(host: host, port: port, timeout: timeout)
        } catch {
            result.notes.append(error.description)
            return result
        }
        defer { client.close() }

        for step in testCase.steps {
            switch step {
            case .send(let template, let bytewise):
                let bytes = CorpusCase.fillHost(template, host: authority)
                result.sent += bytes
                var complete = true
                for piece in pieces(bytes, bytewise: bytewise, caseID: testCase.id) where !client.send(Array(bytes[piece])) {
                    complete = false
                    break
                }
                if !complete { result.notes.append("the server stopped reading before all bytes were sent") }
            case .pause(let milliseconds):
                usleep(useconds_t(milliseconds * 1000))
            case .halfClose:
                client.finishSending()
            }
        }

        // Methods of what was sent, so responses to HEAD are framed without a body.
        var requests = RequestStreamParser()
        requests.feed(result.sent)
        var parser = ResponseStreamParser(requestMethods: requests.requests.map { String(decoding: $0.method, as: UTF8.self) })
        var ending = ConnectionEnding.open
        var waitLimit = timeout
        while true {
            let reply = client.readUntilClosed(idleTimeout: waitLimit, limit: 4 * 1024 * 1024, returnAfterData: true)
            result.received += reply.bytes
            parser.feed(reply.bytes)
            if reply.ending == .eof { ending = .closed; break }
            if reply.ending == .reset { ending = .reset; break }
            if reply.bytes.isEmpty { break }  // quiet for waitLimit
            // Something arrived: once a response is complete, wait only `quiet` for more; after one
            // that announces `Connection: close`, wait the full timeout for the close itself.
            let lastFinal = parser.responses.last(where: { !$0.isInterim && $0.complete })
            waitLimit = lastFinal == nil || lastFinal?.connectionClose == true ? timeout : quiet
        }
        let lastFinal = parser.responses.last(where: { !$0.isInterim && $0.status >= 0 })
        if ending == .open, let lastFinal, lastFinal.complete, lastFinal.connectionClose {
            // A lingering close (the server drains what the client sends before closing) can outlast
            // any wait; the server said it closes and answered nothing more, so it is not left open.
            ending = .closed
            result.notes.append("the response said Connection: close and nothing followed; the socket was still open after the wait (lingering close), counted as a close")
        }
        parser.finish()
        result.responses = parser.responses
        let finals = parser.responses.filter { !$0.isInterim && $0.status >= 0 }
        let observed = ObservedOutcome(statuses: finals.map(\.status), ending: ending,
                                       http2Settings: finals.isEmpty && ObservedOutcome.startsWithHTTP2Settings(result.received))
        result.observed = observed
        if observed.http2Settings {
            result.notes.append("the server answered with an HTTP/2 SETTINGS frame: h2c with prior knowledge")
        } else if parser.responses.contains(where: { $0.status < 0 }) {
            result.notes.append("bytes that are not an HTTP response")
        }
        if parser.pendingBytes > 0 { result.notes.append("\(parser.pendingBytes) bytes after the last response") }

        let judgement = VerdictPolicy.judge(testCase, observed: observed)
        result.verdict = judgement.verdict
        result.verdictReason = judgement.reason
        // A right status with a wrongly framed body still fails: the disagreement is the desync.
        let framing = EchoFramingCheck.disagreements(strict: requests.requests, finalResponses: finals)
        if !framing.isEmpty && result.verdict != .fail {
            result.verdict = .fail
            result.verdictReason = "desync: the target framed a body differently from the strict parser"
            result.notes += framing
        }
        // A length alone cannot show that a coding was decoded rather than ignored.
        if testCase.decoding && result.verdict == .pass && finals.contains(where: { (200..<300).contains($0.status) })
            && EchoFramingCheck.reportsLengthOnly(finals) {
            result.verdict = .warn
            result.verdictReason = "the target reports a body length only, which cannot tell decoding the coding from ignoring it"
        }
        if testCase.canary && !canaryAnswers() {
            result.verdict = .fail
            result.verdictReason = "the server stopped answering: a plain GET on a fresh connection got no 2xx after this case"
            result.notes.append("canary: GET / on a fresh connection got no 2xx after this case")
        }
        result.runs = [CaseResult.RunRecord(verdict: result.verdict, observed: observed.description)]
        return result
    }

    /// The writes for one step; with TCP_NODELAY each write leaves as its own segment, though the
    /// server may still read several at once.
    func pieces(_ bytes: [UInt8], bytewise: Bool, caseID: String) -> [Range<Int>] {
        let mode = bytewise ? .bytewise : fragment
        switch mode {
        case .none:
            return [0..<bytes.count]
        case .bytewise:
            return bytes.indices.map { $0..<($0 + 1) }
        case .random:
            guard bytes.count > 1 else { return [0..<bytes.count] }
            var state = caseID.utf8.reduce(seed ^ 0x9E37_79B9_7F4A_7C15) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
            func next() -> Int {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int(truncatingIfNeeded: state >> 33)
            }
            let cuts = Set((0..<3).map { _ in 1 + next() % (bytes.count - 1) }).sorted()
            let bounds = [0] + cuts + [bytes.count]
            return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
        }
    }

    /// A plain request on a fresh connection: is the server still healthy?
    func canaryAnswers() -> Bool {
        guard let response = try? HTTPGet.fetch(host: host, port: port, path: "/", timeout: timeout) else { return false }
        return (200..<300).contains(response.status)
    }
}
