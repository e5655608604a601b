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

/// Runs one case over a raw socket: the bytes exactly as written, responses read with the wire
/// parser until the server closes or goes quiet, every response counted.
public struct CaseRunner: Sendable {
    public var host: String
    public var port: UInt16
    /// Longest wait for the first response (and for anything after a pause).
    public var timeout: Double
    /// After a complete response, how long to wait for another one (one too many is the desync signal).
    public var quiet: Double

    public init(host: String, port: UInt16, timeout: Double = 5, quiet: Double = 0.6) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.quiet = quiet
    }

    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public func run(_ testCase: CorpusCase) -> CaseResult {
        let started = MonotonicTime.now()
        var result = CaseResult(testCase: testCase, verdict: .error, observed: nil, responses: [], received: [],
                                sent: [], durationMilliseconds: 0, notes: [])
        defer { result.durationMilliseconds = MonotonicTime.milliseconds(since: started) }
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
                if bytewise {
                    for byte in bytes where !client.send([byte]) { break }
                } else if !client.send(bytes) {
                    result.notes.append("the server stopped reading before all bytes were sent")
                }
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
        if testCase.canary && !canaryAnswers() {
            result.verdict = .fail
            result.notes.append("canary: GET / on a fresh connection got no 2xx after this case")
        }
        return result
    }

    /// A plain request on a fresh connection: is the server still healthy?
    func canaryAnswers() -> Bool {
        guard let response = try? HTTPGet.fetch(host: host, port: port, path: "/", timeout: timeout) else { return false }
        return (200..<300).contains(response.status)
    }
}

enum MonotonicTime {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func milliseconds(since start: UInt64) -> Int { Int((now() - start) / 1_000_000) }
}
