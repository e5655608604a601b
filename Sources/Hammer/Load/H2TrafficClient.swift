import CathammerContract
@preconcurrency import Glibc
import HTTP2Wire
import HTTPWire

/// One HTTP/2 connection's worth of the `h2` traffic kind over cleartext (prior knowledge), on the
/// harness's own frames and HPACK (HTTP2Wire): up to `streams` requests in flight, GETs and POSTs
/// mixed (request id mod 4 = 3 is a POST), while the budget lasts. libcurl would be the natural
/// client, but Debian's 7.88 fails every stream after the first on a reused prior-knowledge
/// connection ("Error in the HTTP2 framing layer", curl#10634, fixed in 8.0.0); over TLS the kind
/// uses libcurl (`CurlMultiClient`).
///
/// A GOAWAY sends the client to a new connection once its streams below the last-stream-id are
/// answered. Every stream ends in one class: ok, 5xx, refused_stream (RST_STREAM REFUSED_STREAM,
/// or above a GOAWAY's last-stream-id: never processed, RFC 9113 §8.7), truncated (another reset,
/// or the connection ended mid-response), eof_fresh / eof_reused (the connection ended before any
/// of its response; fresh when it was the connection's first stream), write_error, read_timeout.
final class H2TrafficClient: @unchecked Sendable {
    let target: Endpoint
    let profile: LoadProfile
    let budget: RequestBudget
    let log: RequestLog
    let streams: Int

    /// The window this client grants the server, on the connection and on every stream: large
    /// enough that a load run never waits for a WINDOW_UPDATE from it.
    static let grantedWindow: UInt32 = HTTP2SettingsLimits.maxWindowSize

    init(streams: Int, target: Endpoint, profile: LoadProfile, budget: RequestBudget, log: RequestLog) {
        self.streams = max(1, streams)
        self.target = target
        self.profile = profile
        self.budget = budget
        self.log = log
    }

    /// A stream in flight.
    struct Pending {
        var id: UInt64
        var method: String
        var started: UInt64
        /// Streams opened on the connection before this one.
        var previous: Int
        var status = 0
        var received = 0
    }

    func run() {
        while !budget.exhausted {
            connection()
        }
    }

    /// One connection, from the preface until its GOAWAY or end, or until the budget is spent and
    /// its streams are answered.
    private func connection() {
        // The first request is granted before connecting, so a failed connect is one failed request.
        guard let firstGrant = nextGrant() else { return }
        let opened: ClientConnection
        do {
            opened = try ClientConnection(to: target, timeout: Double(profile.connectTimeoutMilliseconds) / 1000,
                                          handshakeTimeout: Double(profile.readTimeoutMilliseconds) / 1000)
        } catch {
            let failure = RawConnection.ConnectFailure(error)
            let now = MonotonicClock.now()
            record(Pending(id: log.newID(), method: method(for: firstGrant), started: now, previous: 0), failure.outcome,
                   failure.detail, openedAt: now)
            usleep(1000)
            return
        }
        defer { opened.close() }
        var state = ConnectionState()
        var opening = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([HTTP2Setting(.enablePush, 0), HTTP2Setting(.initialWindowSize, Self.grantedWindow)],
                                         into: &opening)
        HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: Self.grantedWindow - HTTP2SettingsLimits.defaultInitialWindowSize,
                                             into: &opening)
        var output = opening
        var grant: UInt64? = firstGrant
        while true {
            // Open streams while there is room, no GOAWAY, and budget.
            while state.goAwayLastStreamID == nil && state.inFlight.count < min(streams, state.peerMaxStreams) {
                guard let id = grant ?? nextGrant(wait: false) else { break }
                grant = nil
                openStream(requestID: id, state: &state, into: &output)
            }
            if !output.isEmpty {
                let result = opened.send(output)
                output.removeAll(keepingCapacity: true)
                if case .failed(_, let code) = result {
                    endConnection(&state, opened: opened, how: "write: \(ExchangeClassifier.errnoName(code))", writeFailed: true)
                    return
                }
            }
            if state.inFlight.isEmpty && (state.goAwayLastStreamID != nil || budget.exhausted) {
                drainUntilClosed(opened, state: &state)
                return
            }
            let now = MonotonicClock.now()
            // Read for a short while: new grants (rate mode) and the read timeout are looked at between reads.
            switch opened.receive(timeout: 0.05, maximum: 65536) {
            case .bytes(let bytes):
                for frame in state.splitter.feed(bytes) {
                    handle(frame, state: &state, opened: opened, into: &output)
                }
            case .ended(.timeout):
                let limit = UInt64(profile.readTimeoutMilliseconds) * 1_000_000
                for (streamID, pending) in state.inFlight where now > pending.started && now - pending.started > limit {
                    state.inFlight[streamID] = nil
                    record(pending, .readTimeout, pending.received == 0 ? "no byte" : "\(pending.received) bytes, no END_STREAM",
                           openedAt: opened.openedAt)
                    // The stream is abandoned: tell the server, as a client that gives up would.
                    HTTP2FrameEncoder.appendRSTStream(streamID: streamID, errorCode: .cancel, into: &output)
                }
            case .ended(let ending):
                endConnection(&state, opened: opened, how: ending == .reset ? "reset" : "eof", writeFailed: false)
                return
            }
        }
    }

    /// Nothing more to ask on this connection: answer the server's PINGs (the shutdown PING of its
    /// two-step GOAWAY) and read until it closes, at most `drainSeconds`. Closing with its last
    /// frames unread would make our kernel reset the connection, a reset the run's counters would
    /// count against the server.
    static let drainSeconds = 2.0

    private func drainUntilClosed(_ opened: ClientConnection, state: inout ConnectionState) {
        let deadline = MonotonicClock.now() + UInt64(Self.drainSeconds * 1e9)
        if state.goAwayLastStreamID == nil {
            // The run is over: say so, as a client that is done would (RFC 9113 §6.8).
            var goAway: [UInt8] = []
            HTTP2FrameEncoder.appendGoAway(lastStreamID: 0, errorCode: .noError, into: &goAway)
            _ = opened.send(goAway)
            opened.halfClose()
        }
        while MonotonicClock.now() < deadline {
            switch opened.receive(timeout: 0.1, maximum: 65536) {
            case .bytes(let bytes):
                var output: [UInt8] = []
                for frame in state.splitter.feed(bytes) {
                    if frame.frameType == .ping && !frame.has(.ack) {
                        var ack = frame
                        ack.flags |= HTTP2FrameFlags.ack.rawValue
                        output += ack.bytes
                    }
                }
                if !output.isEmpty, case .failed = opened.send(output) { return }
            case .ended(.timeout):
                continue
            case .ended:
                return
            }
        }
    }

    /// Per-connection protocol state.
    struct ConnectionState {
        var encoder = HPACKEncoder()
        var decoder = HPACKDecoder(headerTableSize: 4096, maxHeaderListSize: 1 << 20)
        var splitter = H2FrameSplitter()
        var fields = DecodedFieldList()
        var nextStreamID: UInt32 = 1
        var opened = 0
        var inFlight: [UInt32: Pending] = [:]
        /// A field block in CONTINUATION frames: its stream, whether it ends the stream, the bytes.
        var block: (streamID: UInt32, endStream: Bool, bytes: [UInt8])?
        var goAwayLastStreamID: UInt32?
        var goAwayCode: HTTP2ErrorCode?
        /// DATA received since the last connection WINDOW_UPDATE.
        var unacknowledgedData = 0
        /// The server's limit on our concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS).
        var peerMaxStreams = Int.max
    }

    private func nextGrant(wait: Bool = true) -> UInt64? {
        if wait {
            return budget.take(1).map { _ in log.newID() }
        }
        if case .granted = budget.request(1, now: MonotonicClock.now()) { return log.newID() }
        return nil
    }

    private func method(for id: UInt64) -> String { id % 4 == 3 ? "POST" : "GET" }

    private func openStream(requestID: UInt64, state: inout ConnectionState, into output: inout [UInt8]) {
        let streamID = state.nextStreamID
        state.nextStreamID += 2
        let method = method(for: requestID)
        let path = method == "POST" ? profile.postPath : profile.paths[Int(requestID % UInt64(profile.paths.count))]
        var fields = [field(":method", method), field(":scheme", "http"), field(":authority", target.authority),
                      field(":path", path), field("x-cathammer-id", String(requestID))]
        if method == "POST" {
            fields.append(field("content-type", "application/octet-stream"))
            fields.append(field("content-length", String(profile.postBodyBytes)))
        }
        var block: [UInt8] = []
        state.encoder.encode(fields, into: &block)
        let hasBody = method == "POST" && profile.postBodyBytes > 0
        HTTP2FrameEncoder.appendHeaders(streamID: streamID, fieldBlock: block, endStream: !hasBody, into: &output)
        if hasBody {
            // The server's initial stream window (65,535 unless it announced more) takes a 1 KiB body;
            // larger bodies go in 16 KiB frames within it.
            var left = profile.postBodyBytes
            while left > 0 {
                let size = min(left, 16384)
                left -= size
                HTTP2FrameEncoder.appendData(streamID: streamID, data: repeatElement(UInt8(ascii: "b"), count: size),
                                             endStream: left == 0, into: &output)
            }
        }
        state.inFlight[streamID] = Pending(id: requestID, method: method, started: MonotonicClock.now(), previous: state.opened)
        state.opened += 1
    }

    private func field(_ name: String, _ value: String) -> HeaderField { HeaderField(name: Array(name.utf8), value: Array(value.utf8)) }

    private func handle(_ frame: H2FrameSplitter.RawFrame, state: inout ConnectionState, opened: ClientConnection,
                        into output: inout [UInt8]) {
        switch frame.frameType {
        case .settings where !frame.has(.ack):
            var index = 0
            while index + 6 <= frame.payload.count {
                if frame.payload[index] == 0, frame.payload[index + 1] == UInt8(HTTP2SettingsParameter.maxConcurrentStreams.rawValue),
                   let value = frame.word(at: index + 2) {
                    state.peerMaxStreams = Int(value)
                }
                index += 6
            }
            HTTP2FrameEncoder.appendSettingsAck(into: &output)
        case .ping where !frame.has(.ack):
            var ack = frame
            ack.flags |= HTTP2FrameFlags.ack.rawValue
            output += ack.bytes
        case .goAway:
            let last = (frame.word(at: 0) ?? 0) & 0x7FFF_FFFF
            // A second GOAWAY may only lower the last-stream-id (§6.8).
            state.goAwayLastStreamID = min(state.goAwayLastStreamID ?? .max, last)
            state.goAwayCode = frame.word(at: 4).map(HTTP2ErrorCode.init(rawValue:))
            for (streamID, pending) in state.inFlight where streamID > last {
                state.inFlight[streamID] = nil
                record(pending, .refusedStream, "above the GOAWAY's last-stream-id \(last): not processed (RFC 9113 §6.8)",
                       openedAt: opened.openedAt)
            }
        case .rstStream:
            guard let pending = state.inFlight.removeValue(forKey: frame.streamID) else { return }
            let code = HTTP2ErrorCode(rawValue: frame.word(at: 0) ?? 0)
            if code == .refusedStream {
                record(pending, .refusedStream, "RST_STREAM REFUSED_STREAM: not processed (RFC 9113 §8.7)", openedAt: opened.openedAt)
            } else if pending.status > 0 && pending.status < 500 && code == .noError {
                // §8.1: a server may answer in full and reset the rest of the request with NO_ERROR.
                record(pending, .ok, "", openedAt: opened.openedAt)
            } else {
                record(pending, .truncated, "RST_STREAM \(code) after \(pending.received) response bytes", openedAt: opened.openedAt)
            }
        case .headers, .continuation:
            var fragment = frame.payload
            if frame.frameType == .headers {
                var start = 0, padding = 0
                if frame.has(.padded), let first = fragment.first {
                    padding = Int(first)
                    start = 1
                }
                if frame.has(.priority) { start += 5 }
                fragment = start + padding <= fragment.count ? Array(fragment[start..<(fragment.count - padding)]) : []
                state.block = (frame.streamID, frame.has(.endStream), fragment)
            } else if state.block?.streamID == frame.streamID {
                state.block?.bytes += fragment
            }
            guard frame.has(.endHeaders), let block = state.block else { return }
            state.block = nil
            state.fields.removeAll()
            // Every block is decoded, answered stream or not: the HPACK table is the connection's.
            guard (try? state.decoder.decode(block.bytes, into: &state.fields)) != nil else { return }
            if var pending = state.inFlight[block.streamID] {
                pending.received += frame.length
                if let status = state.fields.headerFields.first(where: { $0.name == Array(":status".utf8) })
                    .flatMap({ Int(String(decoding: $0.value, as: UTF8.self)) }), status >= 200 {
                    pending.status = status
                }
                state.inFlight[block.streamID] = pending
                if block.endStream { complete(block.streamID, state: &state, opened: opened) }
            }
        case .data:
            state.unacknowledgedData += frame.length
            if state.unacknowledgedData > Int(Self.grantedWindow / 2) {
                HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: UInt32(state.unacknowledgedData), into: &output)
                state.unacknowledgedData = 0
            }
            if var pending = state.inFlight[frame.streamID] {
                pending.received += frame.length
                state.inFlight[frame.streamID] = pending
                if frame.has(.endStream) { complete(frame.streamID, state: &state, opened: opened) }
            }
        default:
            break
        }
    }

    private func complete(_ streamID: UInt32, state: inout ConnectionState, opened: ClientConnection) {
        guard let pending = state.inFlight.removeValue(forKey: streamID) else { return }
        if pending.status == 0 {
            record(pending, .truncated, "END_STREAM without a final status", openedAt: opened.openedAt)
        } else {
            record(pending, pending.status >= 500 ? .serverError : .ok, pending.status >= 500 ? "status \(pending.status)" : "",
                   openedAt: opened.openedAt)
        }
    }

    /// The connection ended (or a write failed) with streams in flight: each is lost.
    private func endConnection(_ state: inout ConnectionState, opened: ClientConnection, how: String, writeFailed: Bool) {
        for (_, pending) in state.inFlight.sorted(by: { $0.key < $1.key }) {
            let outcome: OutcomeClass
            if pending.received > 0 {
                outcome = .truncated
            } else if writeFailed && pending.previous > 0 {
                outcome = .writeError
            } else {
                outcome = pending.previous == 0 ? .eofFresh : .eofReused
            }
            let goAway = state.goAwayLastStreamID.map { ", after GOAWAY last-stream-id \($0) \(state.goAwayCode.map { "\($0)" } ?? "")" } ?? ""
            record(pending, outcome, "\(how) with the stream in flight (\(pending.received) response bytes)\(goAway)", openedAt: opened.openedAt)
        }
        state.inFlight.removeAll()
    }

    private func record(_ pending: Pending, _ outcome: OutcomeClass, _ detail: String, openedAt: UInt64) {
        log.add(RequestRecord(id: pending.id, kind: .h2, method: pending.method, outcome: outcome, detail: detail,
                              status: pending.status, startNanoseconds: log.relative(pending.started),
                              endNanoseconds: log.relative(MonotonicClock.now()),
                              connectionAgeNanoseconds: pending.started > openedAt ? pending.started - openedAt : 0,
                              connectionRequests: pending.previous))
    }
}
