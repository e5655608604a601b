import CathammerContract
@preconcurrency import Glibc
import HTTPWire

/// One raw-socket client thread: sends its kind of traffic while the budget lasts and records every
/// request's outcome. Each request carries `X-Cathammer-Id`.
final class RawTrafficClient: @unchecked Sendable {
    let kind: TrafficKind
    let target: Endpoint
    let profile: LoadProfile
    let budget: RequestBudget
    let log: RequestLog
    private var connection: RawConnection?
    /// When the connection went idle, and how long it was meant to stay idle.
    private var idleSince: UInt64 = 0
    private var intendedIdle: UInt64 = 0
    private var generator: SystemRandomNumberGenerator

    init(kind: TrafficKind, target: Endpoint, profile: LoadProfile, budget: RequestBudget, log: RequestLog) {
        self.kind = kind
        self.target = target
        self.profile = profile
        self.budget = budget
        self.log = log
        generator = SystemRandomNumberGenerator()
    }

    func run() {
        let batch = kind == .pipelined ? profile.pipelineDepth : 1
        while budget.take(batch) != nil {
            if connection != nil, !profile.reuses(idle: MonotonicClock.now() &- idleSince, intended: intendedIdle) { connection = nil }
            exchange(count: batch)
            idleSince = MonotonicClock.now()
            intendedIdle = 0
            if kind != .fresh, profile.idleGapMilliseconds.upperBound > 0 {
                let gap = Int.random(in: profile.idleGapMilliseconds, using: &generator)
                intendedIdle = MonotonicClock.nanoseconds(milliseconds: gap)
                if gap > 0 { usleep(UInt32(gap * 1000)) }
            }
        }
        connection = nil
    }

    private func request(id: UInt64, close: Bool) -> (method: String, pieces: [[UInt8]]) {
        let host = "Host: \(target.authority)\r\nX-Cathammer-Id: \(id)\r\n" + (close ? "Connection: close\r\n" : "")
        switch kind {
        case .post, .slowBody:
            let body = [UInt8](repeating: UInt8(ascii: "b"), count: profile.postBodyBytes)
            let head = Array("POST \(profile.postPath) HTTP/1.1\r\n\(host)Content-Type: application/octet-stream\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
            guard kind == .slowBody else { return ("POST", [head + body]) }
            let size = max(1, body.count / max(1, profile.slowBodyPieces))
            var pieces = [head]
            var offset = 0
            while offset < body.count {
                pieces.append(Array(body[offset..<min(body.count, offset + size)]))
                offset += size
            }
            return ("POST", pieces)
        default:
            let path = profile.paths[Int(id % UInt64(profile.paths.count))]
            return ("GET", [Array("GET \(path) HTTP/1.1\r\n\(host)\r\n".utf8)])
        }
    }

    /// Sends `count` requests (more than one only when pipelining) and records each.
    private func exchange(count: Int) {
        let ids = (0..<count).map { _ in log.newID() }
        let started = MonotonicClock.now()
        func record(_ index: Int, _ outcome: OutcomeClass, _ detail: String, status: Int = 0, age: UInt64 = 0, previous: Int = 0,
                    tls: TLSSessionInfo? = nil) {
            log.add(RequestRecord(id: ids[index], kind: kind, method: kind == .post || kind == .slowBody ? "POST" : "GET",
                                  outcome: outcome, detail: detail, status: status, startNanoseconds: log.relative(started),
                                  endNanoseconds: log.relative(MonotonicClock.now()), connectionAgeNanoseconds: age,
                                  connectionRequests: previous, tls: tls))
        }
        let reused = connection != nil
        if connection == nil {
            // Fresh connections make full handshakes; the others offer the target's newest session
            // when they have to reconnect (a resumption attempt).
            switch RawConnection.open(target, connectTimeoutMilliseconds: profile.connectTimeoutMilliseconds,
                                      handshakeTimeoutMilliseconds: profile.readTimeoutMilliseconds, offerSession: kind != .fresh) {
            case .success(let opened):
                connection = opened
            case .failure(let failure):
                for index in 0..<count { record(index, failure.outcome, failure.detail) }
                usleep(1000)
                return
            }
        }
        guard let connection else { return }
        let age = reused ? started - connection.openedAt : 0
        let previous = connection.requestsSent
        let handshake = connection.takeHandshake()
        let requests = ids.map { request(id: $0, close: kind == .fresh) }
        connection.requestsSent += count
        let write: ClientConnection.SendResult
        if kind == .slowBody {
            write = connection.write(requests[0].pieces, pauseMilliseconds: profile.slowBodyPauseMilliseconds)
        } else {
            // A pipelined batch goes out in one write.
            write = connection.write([requests.flatMap { $0.pieces.joined() }])
        }
        let read = connection.read(methods: requests.map(\.method), count: count,
                                   timeoutMilliseconds: profile.readTimeoutMilliseconds)
        let finals = read.parser.responses.filter { !$0.isInterim }
        var keep = read.ending == .response
        for index in 0..<count {
            let response = index < finals.count ? finals[index] : nil
            // Bytes that belong to this request's response: all of them for the first unanswered one.
            let received = response != nil ? 1 : (index == finals.filter(\.complete).count ? read.parser.pendingBytes : 0)
            let (outcome, detail) = ExchangeClassifier.classify(
                write: write, received: received, ending: read.ending, response: response,
                reusedConnection: reused || index > 0)
            record(index, outcome, detail, status: response?.status ?? 0, age: age, previous: previous + index,
                   tls: index == 0 ? handshake : nil)
            if let response, response.connectionClose { keep = false }
        }
        if !keep || kind == .fresh { self.connection = nil }
    }
}
