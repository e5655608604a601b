import CathammerContract
import Foundation
@preconcurrency import Glibc
import HTTP2Wire
import HTTPWire

/// One case through the chain: judged on the client hop as `run corpus` judges a server, and on the
/// back hop by what the recording origin received.
public struct ChainCaseResult: Sendable {
    /// The case with its final verdict (the worse of the two hops) and every discrepancy in its notes.
    public var result: CaseResult
    public var clientVerdict: Verdict
    public var clientReason: String?
    public var discrepancies: [Discrepancy]
    /// nil when the case did not run through the chain (skipped) or the origin could not be read.
    public var window: OriginWindow?
    /// The fence's status at the front (nil: no response).
    public var fenceStatus: Int?

    public var failingClasses: [DiscrepancyClass] {
        Array(Set(discrepancies.map(\.kind).filter { !$0.informational })).sorted()
    }
}

/// Sends cases to a front that forwards to a `RecordingOrigin`, one case at a time: read the
/// origin's sequence, run the case, send a fence request through the front, wait (bounded) until
/// the origin records the fence, read the records in between.
public struct ChainRunner: Sendable {
    public var runner: CaseRunner
    /// The recording origin's control port; nil for another origin (a lenient one such as gunicorn),
    /// which keeps no records: then only the client hop is judged (with its echo framing check).
    public let originControl: UInt16?
    /// How long the fence may take to reach the origin.
    public var fenceTimeout: Double = 3
    /// Distinguishes this run's fences from any other's.
    public let runID: String

    public init(runner: CaseRunner, originControlPort: UInt16?, runID: String = String(UInt32.random(in: 0...UInt32.max), radix: 16)) {
        self.runner = runner
        originControl = originControlPort
        self.runID = runID
    }

    public func run(_ testCase: CorpusCase, index: Int) -> ChainCaseResult {
        if testCase.wireProtocol == .h2, let reason = runner.h2Unavailable {
            let result = CaseResult(testCase: testCase, verdict: .skip, observed: nil, responses: [], received: [], sent: [],
                                    durationMilliseconds: 0, notes: [reason])
            return ChainCaseResult(result: result, clientVerdict: .skip, discrepancies: [])
        }
        guard originControl != nil else {
            let result = runner.run(testCase)
            return ChainCaseResult(result: result, clientVerdict: result.verdict, clientReason: result.verdictReason, discrepancies: [])
        }
        let mark: Int
        do {
            mark = try sequence()
        } catch {
            return originError(testCase, "the recording origin's control endpoint did not answer before the case: \(error)")
        }
        // The canary (a plain GET after the case) would reach the origin as one more request: it runs
        // after the fence, outside the case's window.
        var withoutCanary = testCase
        withoutCanary.canary = false
        var result = runner.run(withoutCanary)
        result.testCase = testCase
        guard result.verdict != .skip else {
            return ChainCaseResult(result: result, clientVerdict: result.verdict, clientReason: result.verdictReason, discrepancies: [])
        }
        let token = "\(runID)-\(index)"
        // An HTTP/2 case's fence goes as HTTP/2 too: a front may speak only HTTP/2 on that port.
        let fenceStatus = testCase.wireProtocol == .h2 ? sendH2Fence(token: token) : sendFence(token: token)
        var window: OriginWindow
        do {
            window = try awaitFence(token: token, since: mark)
        } catch {
            var failed = originError(testCase, "the recording origin's records could not be read after the case: \(error)")
            failed.result.sent = result.sent
            failed.result.received = result.received
            return failed
        }
        if window.fence == .lost {
            result.notes.append("the fence request sent through the front after the case did not reach the origin within \(fenceTimeout) s"
                                + (fenceStatus.map { " (the front answered it \($0))" } ?? " (the front did not answer it)")
                                + ": the origin's records up to now are judged")
        }
        if testCase.canary && !(testCase.wireProtocol == .h2 ? runner.h2CanaryAnswers() : runner.canaryAnswers()) {
            result.verdict = .fail
            result.verdictReason = "the front stopped answering: a plain GET on a fresh connection got no 2xx after this case"
            result.notes.append("canary: GET / on a fresh connection got no 2xx after this case")
        }
        let clientVerdict = result.verdict
        let clientReason = result.verdictReason
        let discrepancies: [Discrepancy]
        if let script = testCase.h2 {
            discrepancies = ChainJudge.judgeH2(client: H2ClientRequests(script: script, authority: runner.endpoint.authority), origin: window)
        } else {
            discrepancies = ChainJudge.judge(client: ChainJudge.ClientStream(sent: result.sent), origin: window)
        }
        result.notes += discrepancies.map(\.line)
        if let failing = discrepancies.first(where: { !$0.kind.informational }), result.verdict.severity < Verdict.fail.severity {
            result.verdict = .fail
            result.verdictReason = "back hop: [\(failing.kind.rawValue)] \(failing.detail)"
        } else if let failing = discrepancies.first(where: { !$0.kind.informational }) {
            result.verdictReason = (result.verdictReason.map { $0 + "; " } ?? "") + "back hop: [\(failing.kind.rawValue)] \(failing.detail)"
        }
        result.runs = [CaseResult.RunRecord(verdict: result.verdict, observed: result.observed?.description ?? "nothing")]
        return ChainCaseResult(result: result, clientVerdict: clientVerdict, clientReason: clientReason,
                               discrepancies: discrepancies, window: window, fenceStatus: fenceStatus)
    }

    private func originError(_ testCase: CorpusCase, _ note: String) -> ChainCaseResult {
        let result = CaseResult(testCase: testCase, verdict: .error, observed: nil, responses: [], received: [], sent: [],
                                durationMilliseconds: 0, notes: [note])
        return ChainCaseResult(result: result, clientVerdict: .error, discrepancies: [])
    }

    func sequence() throws -> Int {
        let response = try HTTPGet.fetch(host: "127.0.0.1", port: originControl ?? 0, path: "/sequence", timeout: 5)
        struct Body: Decodable { var sequence: Int }
        return try JSONDecoder().decode(Body.self, from: Data(response.body)).sequence
    }

    func records(since: Int) throws -> OriginRecord {
        let response = try HTTPGet.fetch(host: "127.0.0.1", port: originControl ?? 0, path: "/records?since=\(since)", timeout: 5)
        return try OriginRecord(json: response.body)
    }

    /// A plain GET of the fence path through the front, on a fresh connection; its status, if any.
    func sendFence(token: String) -> Int? {
        guard let connection = try? ClientConnection(to: runner.endpoint, timeout: runner.timeout) else { return nil }
        defer { connection.close() }
        let request = "GET \(OriginFence.path(token: token)) HTTP/1.1\r\nHost: \(runner.endpoint.authority)\r\nConnection: close\r\n\r\n"
        _ = connection.send(Array(request.utf8))
        let reply = connection.readUntilClosed(idleTimeout: fenceTimeout)
        var parser = ResponseStreamParser(requestMethods: ["GET"])
        parser.feed(reply.bytes)
        parser.finish()
        return parser.responses.first(where: { !$0.isInterim && $0.status > 0 })?.status
    }

    /// An HTTP/2 GET of the fence path through the front (prior knowledge, or ALPN h2 over TLS).
    func sendH2Fence(token: String) -> Int? {
        var get = H2FrameSpec(type: HTTP2FrameType.headers.rawValue, flags: HTTP2FrameFlags([.endStream, .endHeaders]).rawValue, streamID: 1)
        get.body = .headerBlock(.fields(H2Field.request(method: "GET", path: OriginFence.path(token: token))))
        let exchange = try? runner.h2Runner(caseID: "").run(H2Script(steps: [.write(H2Write(parts: [.frame(get)]))]))
        return exchange?.facts.responses.first?.status
    }

    /// Polls the origin's records until the fence is among them (or absorbed into another request),
    /// at most `fenceTimeout`; the window is cut at the fence.
    func awaitFence(token: String, since: Int) throws -> OriginWindow {
        let deadline = MonotonicClock.now() &+ MonotonicClock.nanoseconds(seconds: fenceTimeout)
        while true {
            let window = OriginWindow(record: try records(since: since), since: since, fenceToken: token)
            if window.fence != .lost || MonotonicClock.now() > deadline { return window }
            usleep(20_000)
        }
    }
}

/// A whole chain run: the front, the origin, every case's result on both hops.
public struct ChainRun: Sendable {
    public var front: String
    public var origin: String
    public var cases: [ChainCaseResult]
    /// The same results as a corpus run (final verdicts, discrepancies in the notes): JUnit,
    /// Markdown's table, baselines and exit codes work as for `run corpus`.
    public var corpus: CorpusRun

    /// One case at a time behind the recording origin (its records are attributed by sequence);
    /// behind another origin, which keeps none, `jobs` at a time as `run corpus` does.
    public static func execute(_ cases: [CorpusCase], runner: ChainRunner, front: String, origin: String, jobs: Int = 8,
                               progress: @escaping @Sendable (ChainCaseResult) -> Void = { _ in }) -> ChainRun {
        let started = Date()
        if runner.originControl == nil {
            let corpus = CorpusRun.execute(cases, runner: runner.runner, jobs: jobs, target: "\(front) → \(origin)") { result in
                progress(ChainCaseResult(result: result, clientVerdict: result.verdict, clientReason: result.verdictReason, discrepancies: []))
            }
            let results = corpus.results.map {
                ChainCaseResult(result: $0, clientVerdict: $0.verdict, clientReason: $0.verdictReason, discrepancies: [])
            }
            return ChainRun(front: front, origin: origin, cases: results, corpus: corpus)
        }
        var results: [ChainCaseResult] = []
        for (index, testCase) in cases.enumerated() {
            let result = runner.run(testCase, index: index)
            results.append(result)
            progress(result)
        }
        return ChainRun(front: front, origin: origin, cases: results,
                        corpus: CorpusRun(target: "\(front) → \(origin)", started: started, results: results.map(\.result), baseline: nil))
    }

    /// Cases per discrepancy class (a case counts once per class).
    public var classCounts: [DiscrepancyClass: Int] {
        var counts: [DiscrepancyClass: Int] = [:]
        for item in cases {
            for kind in Set(item.discrepancies.map(\.kind)) { counts[kind, default: 0] += 1 }
        }
        return counts
    }
}
