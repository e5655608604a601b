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
        let started = MonotonicClock.now()
        var result = execute(testCase)
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
            // Something arrived: once a response is complete, wait only `quiet` for more.
            waitLimit = parser.responses.contains(where: { !$0.isInterim && $0.complete }) ? quiet : timeout
        }
        parser.finish()
        result.responses = parser.responses
        let finals = parser.responses.filter { !$0.isInterim && $0.status >= 0 }
        let observed = ObservedOutcome(statuses: finals.map(\.status), ending: ending)
        result.observed = observed
        if parser.responses.contains(where: { $0.status < 0 }) { result.notes.append("bytes that are not an HTTP response") }
        if parser.pendingBytes > 0 { result.notes.append("\(parser.pendingBytes) bytes after the last response") }

        if testCase.pass.contains(where: { $0.matches(observed) }) {
            result.verdict = .pass
        } else if testCase.warn.contains(where: { $0.matches(observed) }) {
            result.verdict = .warn
        } else {
            result.verdict = .fail
        }
        // A right status with a wrongly framed body still fails: the disagreement is the desync.
        let framing = EchoFramingCheck.disagreements(strict: requests.requests, finalResponses: finals)
        if !framing.isEmpty && result.verdict != .fail {
            result.verdict = .fail
            result.notes += framing
        }
        if testCase.canary && !canaryAnswers() {
            result.verdict = .fail
            result.notes.append("canary: GET / on a fresh connection got no 2xx after this case")
        }
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
