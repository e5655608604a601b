import HTTP2Wire
import HTTPWire

/// Reads what the server sends on an HTTP/2 connection: splits it into frames tolerantly, decodes
/// header blocks for `:status`, keeps the server's settings (for symbolic sizes), and collects the
/// facts outcomes are judged on. A strict client parser reads the same bytes to note the first frame
/// the server got wrong.
struct H2ResponseReader {
    private var splitter = H2FrameSplitter()
    private var decoder = HPACKDecoder(headerTableSize: 4096, maxHeaderListSize: 1 << 20)
    private var strict = HTTP2FrameParser(role: .client)
    private var block: (streamID: UInt32, bytes: [UInt8], endStream: Bool, type: UInt8)?
    private(set) var facts = H2Facts()
    /// Every frame, one line each.
    private(set) var descriptions: [String] = []
    /// The settings the server announced (RFC 9113 initial values until its SETTINGS arrives).
    private(set) var peerSettings = HTTP2Settings()
    private(set) var settingsFrames = 0
    private(set) var settingsAcks = 0
    /// Opaque data of every PING ACK.
    private(set) var pingAcks: [[UInt8]] = []
    private(set) var headersStreams: Set<UInt32> = []
    private(set) var endedStreams: Set<UInt32> = []
    /// Flow-controlled octets (padding included) received per stream, and on the connection.
    private(set) var dataReceived: [UInt32: Int] = [:]
    private(set) var connectionDataReceived = 0
    private(set) var bytesRead = 0

    // What the client sent, read back so that the server's DATA is checked against the windows the
    // client advertised and the PINGs and streams of the case are known.
    private var sentSplitter = H2FrameSplitter()
    private var sentPrefaceSkipped = false
    private var ownSettings: [[HTTP2Setting]] = []
    /// SETTINGS frames (without ACK) the client has sent, the opening's included.
    var settingsFramesSent: Int { ownSettings.count }
    private var ownSettingsApplied = 0
    private var windows = H2ReceiveWindows()
    /// Set once the opening is done: PINGs and streams after it belong to the case.
    var caseStarted = false
    private(set) var casePings: [[UInt8]] = []
    private(set) var caseSettingsSent = false
    private(set) var caseStreams: [UInt32] = []

    /// A response from the first bytes is not HTTP/2 (e.g. an HTTP/1.1 refusal of the preface).
    var looksLikeHTTP1: Bool { firstBytes.starts(with: Array("HTTP/".utf8)) }
    private var firstBytes: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if firstBytes.count < 8 { firstBytes += bytes.prefix(8 - firstBytes.count) }
        bytesRead += bytes.count
        if facts.serverViolation == nil {
            let violation: HTTP2Violation? = bytes.withUnsafeBytes { chunk in
                var found: HTTP2Violation?
                strict.feed(chunk) { event in
                    if case .streamError(let violation, _) = event, found == nil { found = violation }
                }
                return strict.violation ?? found
            }
            if let violation { facts.serverViolation = violation.description }
        }
        for frame in splitter.feed(bytes) { take(frame) }
    }

    private mutating func take(_ frame: H2FrameSplitter.RawFrame) {
        var fields: [HeaderField]?
        switch frame.frameType {
        case .settings:
            if frame.has(.ack) {
                settingsAcks += 1
                if ownSettingsApplied < ownSettings.count {
                    applyOwn(ownSettings[ownSettingsApplied])
                    ownSettingsApplied += 1
                }
            } else {
                settingsFrames += 1
                var index = 0
                while index + 6 <= frame.payload.count {
                    let identifier = UInt16(frame.payload[index]) << 8 | UInt16(frame.payload[index + 1])
                    let setting = HTTP2Setting(HTTP2SettingsParameter(rawValue: identifier), frame.word(at: index + 2) ?? 0)
                    if setting.violation(receivedBy: .client) == nil { peerSettings.apply(setting) }
                    index += 6
                }
            }
        case .ping where frame.has(.ack):
            pingAcks.append(frame.payload)
        case .goAway:
            if facts.goAway == nil, let last = frame.word(at: 0), let code = frame.word(at: 4) {
                facts.goAway = H2Facts.GoAway(lastStreamID: last & 0x7FFF_FFFF, code: HTTP2ErrorCode(rawValue: code),
                                              debug: Array(frame.payload.dropFirst(8)))
            }
        case .rstStream:
            if let code = frame.word(at: 0) {
                facts.resets.append(H2Facts.Reset(streamID: frame.streamID, code: HTTP2ErrorCode(rawValue: code)))
            }
        case .data:
            if let violation = windows.receive(streamID: frame.streamID, length: frame.length), facts.flowControlViolation == nil {
                facts.flowControlViolation = violation
            }
            dataReceived[frame.streamID, default: 0] += frame.length
            connectionDataReceived += frame.length
            if frame.has(.endStream) { endedStreams.insert(frame.streamID) }
        case .headers, .pushPromise:
            headersStreams.insert(frame.streamID)
            var fragment = frame.payload
            var start = 0
            var padding = 0
            if frame.has(.padded), let first = fragment.first {
                padding = Int(first)
                start = 1
            }
            if frame.frameType == .headers && frame.has(.priority) { start += 5 }
            if frame.frameType == .pushPromise { start += 4 }
            fragment = start + padding <= fragment.count ? Array(fragment[start..<(fragment.count - padding)]) : []
            let endStream = frame.frameType == .headers && frame.has(.endStream)
            if endStream { endedStreams.insert(frame.streamID) }
            block = (frame.streamID, fragment, endStream, frame.type)
            if frame.has(.endHeaders) { fields = finishBlock() }
        case .continuation:
            if block?.streamID == frame.streamID {
                block?.bytes += frame.payload
                if frame.has(.endHeaders) { fields = finishBlock() }
            }
        default:
            break
        }
        descriptions.append(H2FrameDescription.describe(frameBytes: frame.bytes, fields: fields))
    }

    /// Decodes the finished block; a final `:status` on a HEADERS block is the stream's response.
    private mutating func finishBlock() -> [HeaderField]? {
        guard let block else { return nil }
        self.block = nil
        var list = DecodedFieldList()
        do throws(HTTP2Violation) {
            _ = try decoder.decode(block.bytes, into: &list)
        } catch {
            // The server's encoder and this decoder no longer agree on the HPACK state (RFC 7541):
            // this block, and any response in it, is lost.
            facts.undecodableBlock = facts.undecodableBlock ?? "the field block on stream \(block.streamID) does not decode: \(error)"
            if facts.serverViolation == nil { facts.serverViolation = facts.undecodableBlock }
            return nil
        }
        let fields = list.headerFields
        if block.type == HTTP2FrameType.headers.rawValue,
           let status = fields.first(where: { $0.name == Array(":status".utf8) }).flatMap({ Int(String(decoding: $0.value, as: UTF8.self)) }),
           status >= 200, !facts.responses.contains(where: { $0.streamID == block.streamID }) {
            facts.responses.append(H2Facts.Response(streamID: block.streamID, status: status))
        }
        return fields
    }

    /// Every PING the case sent has been acknowledged (an ACK for each, matched by its data).
    var casePingsAcked: Bool {
        var remaining = pingAcks
        return casePings.allSatisfy { ping in
            guard let index = remaining.firstIndex(of: ping) else { return false }
            remaining.remove(at: index)
            return true
        }
    }

    /// The facts with the PING bookkeeping filled in.
    var finalFacts: H2Facts {
        var result = facts
        result.pingsSent = !casePings.isEmpty
        result.pingAcked = !casePings.isEmpty && casePingsAcked
        result.settingsSent = caseSettingsSent
        result.settingsAcked = settingsAcks >= ownSettings.count
        return result
    }

    /// Reads back what the client wrote: its SETTINGS (applied when acknowledged), WINDOW_UPDATEs,
    /// PINGs and the streams it opened.
    mutating func noteSent(_ bytes: [UInt8]) {
        var bytes = bytes
        if !sentPrefaceSkipped {
            sentPrefaceSkipped = true
            if bytes.starts(with: HTTP2ConnectionPreface.bytes) { bytes.removeFirst(HTTP2ConnectionPreface.bytes.count) }
        }
        for frame in sentSplitter.feed(bytes) {
            switch frame.frameType {
            case .settings where !frame.has(.ack):
                var settings: [HTTP2Setting] = []
                var index = 0
                while index + 6 <= frame.payload.count {
                    let identifier = UInt16(frame.payload[index]) << 8 | UInt16(frame.payload[index + 1])
                    settings.append(HTTP2Setting(HTTP2SettingsParameter(rawValue: identifier), frame.word(at: index + 2) ?? 0))
                    index += 6
                }
                ownSettings.append(settings)
                if caseStarted { caseSettingsSent = true }
            case .windowUpdate:
                if let increment = frame.word(at: 0) { windows.update(streamID: frame.streamID, increment: Int(increment & 0x7FFF_FFFF)) }
            case .ping where caseStarted && !frame.has(.ack):
                casePings.append(frame.payload)
            case .headers where caseStarted && frame.streamID != 0 && !caseStreams.contains(frame.streamID):
                caseStreams.append(frame.streamID)
            default:
                break
            }
        }
    }

    /// Our settings take effect for the server's frames once it acknowledged them (RFC 9113 §6.5.3).
    private mutating func applyOwn(_ settings: [HTTP2Setting]) {
        for setting in settings where setting.violation(receivedBy: .server) == nil {
            switch setting.parameter {
            case .initialWindowSize: windows.setInitialWindow(Int(setting.value))
            case .maxFrameSize: strict.setMaxFrameSize(setting.value)
            case .headerTableSize:
                if decoder.table.size == 0 && Int(setting.value) < decoder.table.maxSize {
                    // RFC 9113 §4.3.1 asks for a Dynamic Table Size Update only when the new maximum is
                    // below the table's current size; an empty table just gets the smaller maximum.
                    decoder = HPACKDecoder(headerTableSize: Int(setting.value), maxHeaderListSize: decoder.maxHeaderListSize)
                } else {
                    decoder.setHeaderTableSizeLimit(Int(setting.value))
                }
            case .enablePush: strict.setAcceptsPushPromise(setting.value == 1)
            default: break
            }
        }
    }
}

/// The flow-control windows the client advertised (RFC 9113 §6.9): what the server may send.
struct H2ReceiveWindows {
    private(set) var initial = Int(HTTP2SettingsLimits.defaultInitialWindowSize)
    private(set) var connection = Int(HTTP2SettingsLimits.defaultInitialWindowSize)
    /// Remaining window of each stream that has had DATA or a WINDOW_UPDATE.
    private(set) var streams: [UInt32: Int] = [:]

    /// Returns the rule broken when the DATA does not fit.
    mutating func receive(streamID: UInt32, length: Int) -> String? {
        connection -= length
        let remaining = (streams[streamID] ?? initial) - length
        streams[streamID] = remaining
        if connection < 0 {
            return "the server sent \(-connection) octets of DATA beyond the connection window the client advertised"
        }
        if remaining < 0 {
            return "the server sent \(-remaining) octets of DATA beyond stream \(streamID)'s window the client advertised"
        }
        return nil
    }

    mutating func update(streamID: UInt32, increment: Int) {
        if streamID == 0 {
            connection += increment
        } else {
            streams[streamID] = (streams[streamID] ?? initial) + increment
        }
    }

    /// §6.9.2: a new SETTINGS_INITIAL_WINDOW_SIZE moves every stream window by the difference.
    mutating func setInitialWindow(_ value: Int) {
        let delta = value - initial
        initial = value
        for key in streams.keys { streams[key]! += delta }
    }
}
