import HTTP2Wire

/// What a strict server must do with the client's side of an HTTP/2 connection, decided by the
/// strict HTTP2Wire layer (the frame parser, the HPACK decoder, the stream state machine, the request
/// rules of RFC 9113 §8): the connection error it ends the connection with, the streams it resets, the
/// requests it answers, and whether it reaches the probe PING the fuzzer sends last.
public struct H2Expectation: Sendable, Equatable {
    /// The connection error a strict server signals (GOAWAY or close) before the probe.
    public var connectionError: HTTP2Violation?
    /// Streams a strict server resets (or answers 4xx), with the rule.
    public var streamErrors: [UInt32: HTTP2Violation] = [:]
    /// Streams carrying a complete valid request: a strict server answers them.
    public var answered: [UInt32] = []
    /// Streams reset for a frame that came after their request was complete, or that carried no
    /// request: a strict server resets them, but may have answered the request first.
    public var laterResets: [UInt32: HTTP2Violation] = [:]
    /// Every stream id some HEADERS frame names, reading frames by their headers alone.
    public var headersStreams: Set<UInt32> = []
    /// The probe PING was read as a PING with nothing wrong before it: a strict server acknowledges it.
    public var probeReached = false
    /// Where what follows stops being comparable: a server's own limit or timing decides it.
    public var incomparable: String?
    /// Frame lengths, read by the headers alone, run past the end of what is sent: a server that
    /// reads whole frames before judging them waits for bytes that never come, and may stay silent.
    public var endsInsideFrame = false

    /// The reason code the signature and the finding use.
    public var reason: String {
        if let connectionError { return connectionError.reason }
        if let first = streamErrors.keys.min(), let violation = streamErrors[first] { return violation.reason }
        return "valid"
    }

    /// The first error, for the finding's RFC section.
    public var violation: HTTP2Violation? {
        connectionError ?? streamErrors.keys.min().flatMap { streamErrors[$0] }
    }

    public var summary: String {
        var parts: [String] = []
        if !answered.isEmpty { parts.append("answers stream\(answered.count == 1 ? "" : "s") \(answered.map(String.init).joined(separator: ", "))") }
        for id in streamErrors.keys.sorted() { parts.append("resets stream \(id) (\(streamErrors[id]!.code.name) \(streamErrors[id]!.reason))") }
        if let connectionError { parts.append("connection error \(connectionError.code.name) (\(connectionError.reason), \(connectionError.rfcSection))") }
        if probeReached { parts.append("acknowledges the probe PING") }
        if let incomparable { parts.append("then incomparable: \(incomparable)") }
        return parts.isEmpty ? "nothing to answer" : parts.joined(separator: ", ")
    }
}

/// The strict layer as an oracle for one connection.
public enum H2Oracle {
    /// The opaque data of the PING the fuzzer sends after every case: "cathamm!".
    public static let probe: UInt64 = 0x6361_7468_616D_6D21
    public static var probeBytes: [UInt8] {
        var bytes: [UInt8] = []
        HTTP2FrameEncoder.appendPing(opaqueData: probe, into: &bytes)
        return bytes
    }

    /// `caseBytes` follow the standard opening (preface, an empty SETTINGS, the ACK of the server's);
    /// `server` is what the server announced in its SETTINGS.
    public static func expect(_ caseBytes: [UInt8], server: HTTP2Settings) -> H2Expectation {
        var model = StrictServer(server: server)
        // Read over the probe too, with the header of a frame cut short: a frame whose length runs into
        // the probe, or past the end, is still a HEADERS frame opening its stream for a server that
        // decodes a block before the frame is complete.
        let framed = caseBytes + probeBytes
        let layout = H2FrameLayout(framed)
        var opened = Set(layout.frames.filter { $0.type == .headers }.map(\.streamID))
        if layout.tail.count >= 9, framed[layout.tail.lowerBound + 3] == HTTP2FrameType.headers.rawValue {
            let at = layout.tail.lowerBound + 5
            opened.insert((UInt32(framed[at]) << 24 | UInt32(framed[at + 1]) << 16 | UInt32(framed[at + 2]) << 8 | UInt32(framed[at + 3])) & 0x7FFF_FFFF)
        }
        model.expectation.headersStreams = opened
        var stream = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([HTTP2Setting](), into: &stream)
        HTTP2FrameEncoder.appendSettingsAck(into: &stream)
        stream += caseBytes
        let probeStart = stream.count
        stream += probeBytes
        model.expectation.endsInsideFrame = !H2FrameLayout(Array(stream.dropFirst(HTTP2ConnectionPreface.bytes.count))).tail.isEmpty
        model.run(stream, probeStart: probeStart)
        return model.expectation
    }

    /// A strict server's view of the client's frames, as the reference server keeps it.
    struct StrictServer {
        let server: HTTP2Settings
        var expectation = H2Expectation()
        var parser: HTTP2FrameParser
        var decoder: HPACKDecoder
        var identifiers: HTTP2StreamIdentifiers
        var machines: [UInt32: HTTP2StreamStateMachine] = [:]
        var counters: [UInt32: H2RequestBodyCounter] = [:]
        /// How streams no longer held closed.
        var closed: [UInt32: HTTP2StreamClosure] = [:]
        var skipped: [ClosedRange<UInt32>] = []
        var connectionData = 0
        var streamData: [UInt32: Int] = [:]
        var clientInitialWindow = Int(HTTP2SettingsLimits.defaultInitialWindowSize)
        var connectionIncrements = 0
        var streamIncrements: [UInt32: Int] = [:]
        var stopped = false

        init(server: HTTP2Settings) {
            self.server = server
            let frameSize = min(max(server.maxFrameSize, HTTP2SettingsLimits.defaultMaxFrameSize), HTTP2SettingsLimits.largestMaxFrameSize)
            parser = HTTP2FrameParser(configuration: HTTP2FrameParserConfiguration(role: .server, maxFrameSize: frameSize))
            decoder = HPACKDecoder(headerTableSize: Int(server.headerTableSize), maxHeaderListSize: Int(server.maxHeaderListSize ?? 1 << 20))
            identifiers = HTTP2StreamIdentifiers(role: .server, maxConcurrentPeerStreams: server.maxConcurrentStreams)
        }

        mutating func run(_ bytes: [UInt8], probeStart: Int) {
            bytes.withUnsafeBytes { chunk in
                var offset = 0
                while !stopped {
                    let event = parser.next(chunk, at: &offset)
                    switch event {
                    case .needMore:
                        return
                    case .connectionError(let violation):
                        return connectionError(violation)
                    case .streamError(let violation, let header):
                        streamErrorFromParser(violation, header)
                    case .frame(let frame):
                        if case .ping(let opaque, let ack) = frame.content, !ack, opaque == H2Oracle.probe, offset == bytes.count,
                           parser.streamOffset - 17 >= probeStart {
                            expectation.probeReached = true
                            return
                        }
                        handle(frame)
                    case .headerBlock(let block):
                        handle(block)
                    }
                }
            }
        }

        mutating func stop(_ reason: String) {
            expectation.incomparable = reason
            stopped = true
        }

        mutating func connectionError(_ violation: HTTP2Violation) {
            // ENHANCE_YOUR_CALM marks a limit of the reference server's own choosing (block size, CONTINUATION count).
            if violation.code == .enhanceYourCalm { return stop("a limit of the server's own choosing (\(violation.reason))") }
            expectation.connectionError = violation
            stopped = true
        }

        mutating func streamError(_ violation: HTTP2Violation, _ id: UInt32) {
            // Only an error in a request the stream still carries makes the request malformed. One that
            // comes after the request was complete (a zero WINDOW_UPDATE after END_STREAM) or on a stream
            // with no request (a PRIORITY on an idle id) is not about an answer the server may already
            // have sent: the stream is reset, and what it was answered is not judged.
            if expectation.answered.contains(id) || machines[id] == nil {
                expectation.answered.removeAll { $0 == id }
                expectation.laterResets[id] = expectation.laterResets[id] ?? violation
            } else {
                expectation.streamErrors[id] = expectation.streamErrors[id] ?? violation
            }
            machines[id] = nil
            counters[id] = nil
            closed[id] = .resetSent
        }

        mutating func reject(_ violation: HTTP2Violation) {
            switch violation.scope {
            case .connection: connectionError(violation)
            case .stream(let id): streamError(violation, id)
            }
        }

        /// RFC 9113 §5.1's verdict on a frame for stream `id`, moving the stream if it is held.
        mutating func verdict(_ id: UInt32, _ event: HTTP2StreamEvent) -> HTTP2StreamVerdict {
            if var machine = machines[id] {
                let before = machine.state
                let verdict = machine.receive(event)
                identifiers.noteTransition(of: id, from: before, to: machine.state)
                machines[id] = machine
                return verdict
            }
            let state: HTTP2StreamState
            if identifiers.isIdle(id) {
                state = .idle
            } else if let closure = closed[id] {
                state = .closed(closure)
            } else {
                state = skipped.contains { $0.contains(id) } ? .closed(.implicitly) : .closed(.resetSent)
            }
            return HTTP2StreamStateMachine.verdict(receiving: event, in: state, streamID: id)
        }

        /// A frame on a stream the client ended or reset: whether the server has answered (and so
        /// closed the stream) decides between a stream and a connection error.
        mutating func timingDecides(_ id: UInt32, _ event: HTTP2StreamEvent) -> Bool {
            guard event != .priority && event != .windowUpdate && event != .rstStream else { return false }
            if let machine = machines[id], machine.state == .halfClosedRemote {
                stop("a frame on stream \(id) after its END_STREAM: a stream or a connection error, depending on whether the response was already sent")
                return true
            }
            if closed[id] == .resetReceived || closed[id] == .endStream {
                stop("a frame on stream \(id) after the client closed it: the answer depends on what the server had sent by then")
                return true
            }
            return false
        }

        mutating func streamErrorFromParser(_ violation: HTTP2Violation, _ header: HTTP2FrameHeader) {
            if header.type == .data && !countData(header.streamID, Int(header.length)) { return }
            if identifiers.isIdle(header.streamID) && header.type != .priority {
                return connectionError(.connection("frame-on-idle-stream", .protocolError, "RFC 9113 §5.1"))
            }
            streamError(violation, header.streamID)
        }

        /// Counts DATA against the windows a strict server starts with; past them what happens depends
        /// on the WINDOW_UPDATEs it chose to send.
        mutating func countData(_ id: UInt32, _ length: Int) -> Bool {
            connectionData += length
            streamData[id, default: 0] += length
            if connectionData > Int(HTTP2SettingsLimits.defaultInitialWindowSize) || streamData[id]! > Int(server.initialWindowSize) {
                stop("more DATA than the server's initial windows: its WINDOW_UPDATEs decide")
                return false
            }
            return true
        }

        mutating func handle(_ frame: HTTP2Frame) {
            let id = frame.streamID
            switch frame.content {
            case .data(let data, let endStream):
                guard countData(id, Int(frame.header.length)) else { return }
                let event: HTTP2StreamEvent = endStream ? .dataEndStream : .data
                if timingDecides(id, event) { return }
                switch verdict(id, event) {
                case .reject(let violation): return reject(violation)
                case .discard: return
                case .accept: break
                }
                guard var counter = counters[id] else { return }
                do throws(HTTP2Violation) {
                    try counter.receive(payloadLength: data.count, endStream: endStream)
                } catch {
                    return streamError(error, id)
                }
                counters[id] = counter
                if endStream { finishRequest(id) }
            case .priority:
                _ = verdict(id, .priority)
            case .rstStream:
                if timingDecides(id, .rstStream) { return }
                switch verdict(id, .rstStream) {
                case .reject(let violation): return reject(violation)
                case .discard: return
                case .accept:
                    // The client gave up the stream: a response may or may not have been sent already.
                    expectation.answered.removeAll { $0 == id }
                    if machines[id] != nil {
                        machines[id] = nil
                        counters[id] = nil
                        closed[id] = .resetReceived
                    }
                }
            case .settings(let payload):
                for setting in payload where setting.parameter == .initialWindowSize {
                    clientInitialWindow = Int(setting.value)
                }
                checkWindowOverflow()
            case .settingsAck, .ping, .unknown:
                break
            case .goAway:
                stop("the client sent GOAWAY: the server may close")
            case .windowUpdate(let increment):
                if id == 0 {
                    connectionIncrements += Int(increment)
                    checkWindowOverflow()
                    return
                }
                if timingDecides(id, .windowUpdate) { return }
                switch verdict(id, .windowUpdate) {
                case .reject(let violation): return reject(violation)
                case .discard: return
                case .accept:
                    streamIncrements[id, default: 0] += Int(increment)
                    checkWindowOverflow()
                }
            }
        }

        /// A send window past 2^31-1 is a FLOW_CONTROL_ERROR (§6.9.1), unless the server's own DATA
        /// had used enough of it: the server's timing decides.
        mutating func checkWindowOverflow() {
            let limit = 0x7FFF_FFFF
            if Int(HTTP2SettingsLimits.defaultInitialWindowSize) + connectionIncrements > limit
                || streamIncrements.values.contains(where: { clientInitialWindow + $0 > limit }) {
                stop("a send window near 2^31-1: whether it overflows depends on the DATA the server sent")
            }
        }

        mutating func handle(_ block: HTTP2HeaderBlock) {
            var fields = DecodedFieldList()
            let status: HPACKBlockStatus
            do throws(HTTP2Violation) {
                status = try decoder.decode(block.fieldBlock, into: &fields)
            } catch {
                return connectionError(error)
            }
            if case .headerListTooLarge = status { return stop("a header list over the server's SETTINGS_MAX_HEADER_LIST_SIZE") }
            let id = block.streamID
            let event: HTTP2StreamEvent = block.endStream ? .headersEndStream : .headers
            if timingDecides(id, event) { return }
            if machines[id] != nil {
                // The trailers (§8.1): they must end the stream.
                switch verdict(id, event) {
                case .reject(let violation): return reject(violation)
                case .discard: return
                case .accept: break
                }
                guard block.endStream else {
                    return streamError(.stream(id, "trailers-without-end-stream", .protocolError, "RFC 9113 §8.1"), id)
                }
                do throws(HTTP2Violation) {
                    try H2RequestValidator.validateTrailers(fields, streamID: id)
                    try counters[id]?.end()
                } catch {
                    return streamError(error, id)
                }
                return finishRequest(id)
            }
            if !identifiers.isIdle(id) {
                if case .reject(let violation) = verdict(id, event) { reject(violation) }
                return
            }
            let highest = identifiers.highestPeerStreamID
            if let violation = identifiers.peerOpens(id) {
                if violation.isConnectionError { return connectionError(violation) }
                // One stream over SETTINGS_MAX_CONCURRENT_STREAMS: refusing it is the server's choice.
                return stop("more concurrent streams than the server announced")
            }
            let first = highest == 0 ? 1 : highest + 2
            if id > first { skipped.append(first...(id - 2)) }
            var machine = HTTP2StreamStateMachine(streamID: id)
            let before = machine.state
            _ = machine.receive(event)
            identifiers.noteTransition(of: id, from: before, to: machine.state)
            machines[id] = machine
            if let violation = block.streamError { return streamError(violation, id) }
            let head: H2RequestHead
            do throws(HTTP2Violation) {
                head = try H2RequestValidator.validateRequest(fields, streamID: id)
            } catch {
                return streamError(error, id)
            }
            var counter = H2RequestBodyCounter(head)
            if block.endStream {
                do throws(HTTP2Violation) { try counter.end() } catch { return streamError(error, id) }
                counters[id] = counter
                finishRequest(id)
            } else {
                counters[id] = counter
            }
        }

        /// The request on `id` is complete and valid: a strict server answers it.
        mutating func finishRequest(_ id: UInt32) {
            if !expectation.answered.contains(id) { expectation.answered.append(id) }
            counters[id] = nil
        }
    }
}
