/// Writes frames (RFC 9113 §4.1, §6) by appending to the caller's buffer, so a connection can batch
/// many frames into one write without intermediate arrays.
///
/// The typed functions write well-formed frame *shapes* but do not police the protocol: DATA on stream 0
/// or a zero WINDOW_UPDATE increment are written as asked, because the harness sends exactly such
/// frames. Only what cannot be encoded at all (a length beyond 24 bits, a stream id beyond 31 bits, a
/// pad length beyond 255) traps. `appendRawFrame` writes anything, including lying lengths.
public enum HTTP2FrameEncoder {
    public static func appendPreface(into out: inout [UInt8]) {
        out.append(contentsOf: HTTP2ConnectionPreface.bytes)
    }

    public static func appendHeader(_ header: HTTP2FrameHeader, into out: inout [UInt8]) {
        precondition(header.length <= HTTP2FrameHeader.maxLength, "frame length beyond 24 bits")
        precondition(header.streamID <= HTTP2FrameHeader.streamIDMask, "stream id beyond 31 bits")
        appendHeaderFields(length: header.length, type: header.type.rawValue, flags: header.flags.rawValue,
                           streamWord: header.streamID, into: &out)
    }

    /// The escape hatch: a header with any length (it need not match `payload`), type, flags and a
    /// 32-bit stream word (the reserved bit included), then `payload` as is.
    public static func appendRawFrame(
        length: UInt32, type: UInt8, flags: UInt8, streamWord: UInt32, payload: some Collection<UInt8>,
        into out: inout [UInt8]
    ) {
        precondition(length <= HTTP2FrameHeader.maxLength, "frame length beyond 24 bits")
        appendHeaderFields(length: length, type: type, flags: flags, streamWord: streamWord, into: &out)
        out.append(contentsOf: payload)
    }

    /// A raw frame whose length field is the payload's size.
    public static func appendRawFrame(
        type: UInt8, flags: UInt8, streamWord: UInt32, payload: some Collection<UInt8>, into out: inout [UInt8]
    ) {
        appendRawFrame(length: UInt32(payload.count), type: type, flags: flags, streamWord: streamWord,
                       payload: payload, into: &out)
    }

    /// DATA (§6.1). `padLength` sets PADDED and that many zero octets of padding.
    public static func appendData(
        streamID: UInt32, data: some Collection<UInt8>, endStream: Bool = false, padLength: Int? = nil,
        into out: inout [UInt8]
    ) {
        var flags: HTTP2FrameFlags = endStream ? .endStream : []
        let padding = paddingOverhead(padLength, flags: &flags)
        appendHeader(HTTP2FrameHeader(length: UInt32(data.count + padding), type: .data, flags: flags,
                                      streamID: streamID), into: &out)
        if let padLength { out.append(UInt8(padLength)) }
        out.append(contentsOf: data)
        appendZeros(padLength ?? 0, into: &out)
    }

    /// HEADERS (§6.2) followed by as many CONTINUATION frames (§6.10) as `maxFrameSize` (the peer's
    /// SETTINGS_MAX_FRAME_SIZE) requires. Padding and priority go in the HEADERS frame, END_STREAM on
    /// it too, END_HEADERS on the last frame.
    public static func appendHeaders(
        streamID: UInt32, fieldBlock: some Collection<UInt8>, endStream: Bool = false,
        priority: HTTP2Priority? = nil, padLength: Int? = nil,
        maxFrameSize: Int = Int(HTTP2SettingsLimits.defaultMaxFrameSize), into out: inout [UInt8]
    ) {
        var flags: HTTP2FrameFlags = endStream ? .endStream : []
        if priority != nil { flags.insert(.priority) }
        let fixed = paddingOverhead(padLength, flags: &flags) + (priority == nil ? 0 : 5)
        appendFieldBlock(type: .headers, streamID: streamID, flags: flags, fixed: fixed, padLength: padLength,
                         maxFrameSize: maxFrameSize, fieldBlock: fieldBlock, into: &out) { out in
            if let priority {
                appendUInt32((priority.exclusive ? 0x8000_0000 : 0) | priority.dependency, into: &out)
                out.append(priority.weight)
            }
        }
    }

    /// PUSH_PROMISE (§6.6) followed by CONTINUATION frames as `maxFrameSize` requires.
    public static func appendPushPromise(
        streamID: UInt32, promisedStreamID: UInt32, fieldBlock: some Collection<UInt8>, padLength: Int? = nil,
        maxFrameSize: Int = Int(HTTP2SettingsLimits.defaultMaxFrameSize), into out: inout [UInt8]
    ) {
        precondition(promisedStreamID <= HTTP2FrameHeader.streamIDMask, "stream id beyond 31 bits")
        var flags: HTTP2FrameFlags = []
        let fixed = paddingOverhead(padLength, flags: &flags) + 4
        appendFieldBlock(type: .pushPromise, streamID: streamID, flags: flags, fixed: fixed, padLength: padLength,
                         maxFrameSize: maxFrameSize, fieldBlock: fieldBlock, into: &out) { out in
            appendUInt32(promisedStreamID, into: &out)
        }
    }

    /// One CONTINUATION frame, for callers that split a block themselves.
    public static func appendContinuation(
        streamID: UInt32, fragment: some Collection<UInt8>, endHeaders: Bool, into out: inout [UInt8]
    ) {
        appendHeader(HTTP2FrameHeader(length: UInt32(fragment.count), type: .continuation,
                                      flags: endHeaders ? .endHeaders : [], streamID: streamID), into: &out)
        out.append(contentsOf: fragment)
    }

    public static func appendPriority(streamID: UInt32, priority: HTTP2Priority, into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: 5, type: .priority, streamID: streamID), into: &out)
        appendUInt32((priority.exclusive ? 0x8000_0000 : 0) | priority.dependency, into: &out)
        out.append(priority.weight)
    }

    public static func appendRSTStream(streamID: UInt32, errorCode: HTTP2ErrorCode, into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: 4, type: .rstStream, streamID: streamID), into: &out)
        appendUInt32(errorCode.rawValue, into: &out)
    }

    public static func appendSettings(_ settings: some Collection<HTTP2Setting>, into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: UInt32(settings.count * 6), type: .settings, streamID: 0), into: &out)
        for setting in settings {
            out.append(UInt8(truncatingIfNeeded: setting.parameter.rawValue >> 8))
            out.append(UInt8(truncatingIfNeeded: setting.parameter.rawValue))
            appendUInt32(setting.value, into: &out)
        }
    }

    public static func appendSettingsAck(into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: 0, type: .settings, flags: .ack, streamID: 0), into: &out)
    }

    public static func appendPing(opaqueData: UInt64, ack: Bool = false, into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: 8, type: .ping, flags: ack ? .ack : [], streamID: 0), into: &out)
        appendUInt32(UInt32(truncatingIfNeeded: opaqueData >> 32), into: &out)
        appendUInt32(UInt32(truncatingIfNeeded: opaqueData), into: &out)
    }

    public static func appendGoAway(
        lastStreamID: UInt32, errorCode: HTTP2ErrorCode, debugData: some Collection<UInt8> = [UInt8](),
        into out: inout [UInt8]
    ) {
        appendHeader(HTTP2FrameHeader(length: UInt32(8 + debugData.count), type: .goAway, streamID: 0), into: &out)
        appendUInt32(lastStreamID & HTTP2FrameHeader.streamIDMask, into: &out)
        appendUInt32(errorCode.rawValue, into: &out)
        out.append(contentsOf: debugData)
    }

    public static func appendWindowUpdate(streamID: UInt32, increment: UInt32, into out: inout [UInt8]) {
        appendHeader(HTTP2FrameHeader(length: 4, type: .windowUpdate, streamID: streamID), into: &out)
        appendUInt32(increment & 0x7FFF_FFFF, into: &out)
    }

    // MARK: - Pieces

    private static func appendFieldBlock(
        type: HTTP2FrameType, streamID: UInt32, flags: HTTP2FrameFlags, fixed: Int, padLength: Int?,
        maxFrameSize: Int, fieldBlock: some Collection<UInt8>, into out: inout [UInt8],
        fixedFields: (inout [UInt8]) -> Void
    ) {
        precondition(maxFrameSize >= Int(HTTP2SettingsLimits.defaultMaxFrameSize)
                     && maxFrameSize <= Int(HTTP2FrameHeader.maxLength), "max frame size outside §6.5.2's range")
        precondition(fixed <= maxFrameSize, "padding and fixed fields exceed the max frame size")
        let total = fieldBlock.count
        let firstCount = min(total, maxFrameSize - fixed)
        var flags = flags
        if firstCount == total { flags.insert(.endHeaders) }
        appendHeader(HTTP2FrameHeader(length: UInt32(fixed + firstCount), type: type, flags: flags,
                                      streamID: streamID), into: &out)
        if let padLength { out.append(UInt8(padLength)) }
        fixedFields(&out)
        var index = fieldBlock.startIndex
        let firstEnd = fieldBlock.index(index, offsetBy: firstCount)
        out.append(contentsOf: fieldBlock[index..<firstEnd])
        appendZeros(padLength ?? 0, into: &out)
        index = firstEnd
        var remaining = total - firstCount
        while remaining > 0 {
            let count = min(remaining, maxFrameSize)
            let end = fieldBlock.index(index, offsetBy: count)
            remaining -= count
            appendContinuation(streamID: streamID, fragment: fieldBlock[index..<end], endHeaders: remaining == 0,
                               into: &out)
            index = end
        }
    }

    /// Sets PADDED and returns the octets padding adds (the Pad Length field and the padding).
    private static func paddingOverhead(_ padLength: Int?, flags: inout HTTP2FrameFlags) -> Int {
        guard let padLength else { return 0 }
        precondition(padLength >= 0 && padLength <= 255, "pad length is one octet")
        flags.insert(.padded)
        return 1 + padLength
    }

    private static func appendHeaderFields(length: UInt32, type: UInt8, flags: UInt8, streamWord: UInt32,
                                           into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(type)
        out.append(flags)
        appendUInt32(streamWord, into: &out)
    }

    @inline(__always)
    static func appendUInt32(_ value: UInt32, into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    private static func appendZeros(_ count: Int, into out: inout [UInt8]) {
        for _ in 0..<count { out.append(0) }
    }
}
