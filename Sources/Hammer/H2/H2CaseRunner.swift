import CathammerContract
@preconcurrency import Glibc
import HTTP2Wire
import HTTPWire

/// Runs one HTTP/2 case: the opening (preface and SETTINGS exchange, unless the case opts out), then
/// each step as written (one write each), then reads until the answer is decided: a GOAWAY or a
/// close, or every stream the case opened answered or reset and every PING it sent acknowledged,
/// followed by `quiet` seconds of silence; otherwise `timeout`. Everything available is read before
/// judging, so a GOAWAY followed by a reset is still seen.
struct H2CaseRunner {
    /// Over TLS its context offers ALPN `h2` (RFC 9113 §3.2).
    var endpoint: Endpoint
    var timeout: Double
    var quiet: Double
    var authority: String
    /// How a write is cut (the verdict must not depend on it): ranges of one step's bytes.
    var pieces: ([UInt8], Bool) -> [Range<Int>]
    /// When the answer is decided, instead of the default (every stream of the case answered or reset
    /// and every PING acknowledged): the fuzzer knows which streams a strict server must answer.
    var decided: ((H2ResponseReader) -> Bool)? = nil

    struct Exchange {
        var facts: H2Facts
        var ending: ConnectionEnding
        var sent: [UInt8]
        var received: [UInt8]
        var framesSent: [String]
        var framesReceived: [String]
        var notes: [String]
        /// The opening did not complete: the target did not answer the preface with SETTINGS.
        var openingFailed: String?
        /// What the connection's TLS handshake negotiated (nil over cleartext): the ALPN is `h2`
        /// when the server chose HTTP/2 (RFC 9113 §3.2).
        var tls: TLSSessionInfo? = nil
        /// The server's first bytes were an HTTP/1.x response, not HTTP/2 frames.
        var answeredHTTP1 = false
        /// The settings the server announced in its opening SETTINGS.
        var peerSettings = HTTP2Settings()
        /// The opaque data of every PING ACK the server sent.
        var pingAcks: [[UInt8]] = []
    }

    /// With `openingOnly`, stops after the opening (the probe of whether the target speaks HTTP/2).
    func run(_ script: H2Script, openingOnly: Bool = false) throws(TransportError) -> Exchange {
        let connection = try ClientConnection(to: endpoint, timeout: timeout)
        defer { connection.close() }
        var session = Session(connection: connection, timeout: timeout)
        var exchange = Exchange(facts: H2Facts(), ending: .open, sent: [], received: [], framesSent: [], framesReceived: [],
                                notes: [], openingFailed: nil)
        exchange.tls = connection.tls

        if script.opening == .standard {
            var opening = HTTP2ConnectionPreface.bytes
            HTTP2FrameEncoder.appendSettings(script.clientSettings, into: &opening)
            exchange.framesSent.append("preface")
            exchange.framesSent.append(H2FrameDescription.describe(frameBytes: Array(opening.dropFirst(24)), fields: nil))
            session.write(opening, in: [0..<opening.count])
            session.pump(until: { $0.settingsFrames > 0 })
            if session.reader.settingsFrames == 0 {
                let alpn = connection.tls.map { " (ALPN \($0.alpn ?? "none") negotiated, h2 offered)" } ?? ""
                exchange.openingFailed = session.reader.looksLikeHTTP1
                    ? (connection.tls == nil ? "the server answered the preface with HTTP/1.x: it does not speak HTTP/2 with prior knowledge"
                                             : "the server answered the preface with HTTP/1.x" + alpn)
                    : "no SETTINGS frame from the server within \(timeout) s of the preface" + alpn
            } else {
                var ack: [UInt8] = []
                HTTP2FrameEncoder.appendSettingsAck(into: &ack)
                exchange.framesSent.append(H2FrameDescription.describe(frameBytes: ack, fields: nil))
                session.write(ack, in: [0..<ack.count])
                session.pump(until: { $0.settingsAcks > 0 })
                if session.reader.settingsAcks == 0 { exchange.notes.append("the server did not acknowledge the opening SETTINGS") }
            }
        }
        session.reader.caseStarted = true

        if exchange.openingFailed == nil && !openingOnly {
            steps: for step in script.steps {
                if session.ending != .open { break }
                switch step {
                case .write(let write):
                    let context = H2EncodingContext(peer: session.reader.peerSettings, authority: authority)
                    var bytes: [UInt8] = []
                    for repetition in 0..<max(1, write.repeatCount) {
                        let offset = write.streamStep &* UInt32(repetition)
                        for part in write.parts {
                            switch part {
                            case .frame(let frame):
                                frame.encode(into: &bytes, context: context, streamOffset: offset)
                                if repetition < 3 { exchange.framesSent.append(frame.summary(context: context, streamOffset: offset)) }
                            case .raw(let raw):
                                bytes += CorpusCase.fillHost(raw, host: authority)
                                if repetition < 3 { exchange.framesSent.append("raw " + ByteEscapes.encode(raw.prefix(200))) }
                            }
                        }
                    }
                    if write.repeatCount > 3 { exchange.framesSent.append("… the above \(write.repeatCount) times in this write") }
                    if !session.write(bytes, in: pieces(bytes, write.bytewise)) {
                        exchange.notes.append("the server stopped reading before all bytes were sent")
                        break steps
                    }
                case .pause(let milliseconds):
                    session.pump(for: Double(milliseconds) / 1000)
                case .wait(let condition):
                    let met: (H2ResponseReader) -> Bool
                    switch condition {
                    case .settings: met = { $0.settingsFrames > 0 }
                    // Every SETTINGS sent so far acknowledged: an ACK read while the SETTINGS was being
                    // written (before this wait began) counts; "one more than at the start" missed it.
                    case .settingsAck: met = { $0.settingsAcks >= $0.settingsFramesSent }
                    case .pingAck: met = { $0.casePingsAcked }
                    case .headers(let id): met = { $0.headersStreams.contains(id) }
                    case .endStream(let id): met = { $0.endedStreams.contains(id) }
                    }
                    session.pump(until: met)
                    if !met(session.reader) && session.ending == .open {
                        exchange.notes.append("waited \(timeout) s for \(condition) in vain")
                    }
                case .halfClose:
                    connection.halfClose()
                }
            }
            // The answer is decided by a GOAWAY or a close, or once every stream of the case has an
            // answer and every PING its ACK; a short silence then catches what follows (a reset after
            // a 400, a GOAWAY after a reset).
            // With neither a stream nor a PING to wait for, only a GOAWAY or a close decides.
            session.pump(until: decided.map { decided in { reader in reader.facts.goAway != nil || decided(reader) } } ?? { reader in
                reader.facts.goAway != nil
                    || (reader.casePingsAcked && reader.caseStreams.allSatisfy { id in
                        reader.facts.responses.contains { $0.streamID == id } || reader.facts.resets.contains { $0.streamID == id }
                    } && (!reader.caseStreams.isEmpty || !reader.casePings.isEmpty))
            })
            session.pump(for: nil, quiet: quiet)
        }
        exchange.facts = session.reader.finalFacts
        exchange.peerSettings = session.reader.peerSettings
        exchange.pingAcks = session.reader.pingAcks
        exchange.ending = session.ending
        exchange.sent = session.sent
        exchange.received = session.received
        exchange.framesReceived = session.reader.descriptions
        exchange.answeredHTTP1 = session.reader.looksLikeHTTP1
        if let violation = exchange.facts.serverViolation {
            exchange.notes.append("the server sent a frame a strict client refuses: \(violation)")
        }
        return exchange
    }

    /// The connection, what went through it and the reader of the server's side.
    struct Session {
        let connection: ClientConnection
        let timeout: Double
        var reader = H2ResponseReader()
        var ending = ConnectionEnding.open
        var sent: [UInt8] = []
        var received: [UInt8] = []

        init(connection: ClientConnection, timeout: Double) {
            self.connection = connection
            self.timeout = timeout
        }

        /// Writes the pieces; reads what has already arrived after each, so a reply to an early
        /// frame is not lost behind the rest. False when the server stopped reading.
        @discardableResult
        mutating func write(_ bytes: [UInt8], in pieces: [Range<Int>]) -> Bool {
            sent += bytes
            reader.noteSent(bytes)
            for piece in pieces {
                guard connection.send(Array(bytes[piece])).isComplete else {
                    drain(wait: 0)
                    return false
                }
                drain(wait: 0)
            }
            return true
        }

        /// Reads until `done` holds, the connection ends, or `timeout` passes without it holding.
        mutating func pump(until done: (H2ResponseReader) -> Bool) {
            let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
            while ending == .open && !done(reader) {
                let now = MonotonicClock.now()
                guard now < deadline else { return }
                drain(wait: Double(deadline - now) / 1e9)
            }
        }

        /// Reads for `seconds` (nil: until `quiet` seconds pass without a byte).
        mutating func pump(for seconds: Double?, quiet: Double = 0) {
            if let seconds {
                let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
                while ending == .open {
                    let now = MonotonicClock.now()
                    guard now < deadline else { return }
                    drain(wait: Double(deadline - now) / 1e9)
                }
                return
            }
            while ending == .open && drain(wait: quiet) > 0 {}
        }

        /// One read of whatever arrives within `wait` seconds; returns the bytes read.
        @discardableResult
        mutating func drain(wait: Double) -> Int {
            guard ending == .open else { return 0 }
            let reply = connection.readUntilClosed(idleTimeout: wait, limit: 4 * 1024 * 1024, returnAfterData: true)
            received += reply.bytes
            reader.feed(reply.bytes)
            if reply.ending == .eof { ending = .closed }
            if reply.ending == .reset { ending = .reset }
            return reply.bytes.count
        }
    }
}
