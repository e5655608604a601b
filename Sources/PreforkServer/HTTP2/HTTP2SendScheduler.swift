import HTTP2Wire

/// Decides which stream's response bytes go out next as DATA, and how many: the peer's flow-control
/// windows (RFC 9113 §6.9, the connection's and each stream's), its SETTINGS_MAX_FRAME_SIZE and the
/// room the session has left in its output. Streams with bytes to send take turns, one frame each,
/// so one large download does not starve the others. Pure: it moves numbers, the session moves bytes.
struct HTTP2SendScheduler {
    struct Chunk: Equatable {
        var streamID: UInt32
        var count: Int
        /// The stream's last bytes: the frame carries END_STREAM.
        var last: Bool
    }

    private(set) var connectionWindow = HTTP2FlowControlWindow(scope: .connection)
    /// The peer's SETTINGS_INITIAL_WINDOW_SIZE: a new stream's send window.
    private(set) var initialWindowSize = HTTP2SettingsLimits.defaultInitialWindowSize
    var maxFrameSize = Int(HTTP2SettingsLimits.defaultMaxFrameSize)
    private var windows: [UInt32: HTTP2FlowControlWindow] = [:]
    /// Bytes each stream still has to send, for streams with a response body in progress.
    private var pending: [UInt32: Int] = [:]
    /// Streams with bytes pending, in turn order.
    private var turns: [UInt32] = []
    private var nextTurn = 0

    var openStreams: Int { windows.count }
    var hasPendingData: Bool { !pending.isEmpty }
    /// Bytes wait but no window lets them out: the peer is not reading, or withholds credit.
    var isBlockedByFlowControl: Bool {
        guard !pending.isEmpty else { return false }
        if connectionWindow.available == 0 { return true }
        return !pending.keys.contains { (windows[$0]?.available ?? 0) > 0 }
    }

    func sendWindow(of stream: UInt32) -> Int64? { windows[stream]?.size }

    /// Whether `stream` has more bytes to send than its window and the connection's allow: only the
    /// peer's WINDOW_UPDATEs can let them out.
    func needsMoreCredit(_ stream: UInt32) -> Bool {
        guard let remaining = pending[stream], let window = windows[stream] else { return false }
        return remaining > min(window.available, connectionWindow.available)
    }
    func pendingBytes(of stream: UInt32) -> Int { pending[stream] ?? 0 }

    /// A stream the client opened: its send window starts at the peer's initial window size.
    mutating func open(_ stream: UInt32) {
        windows[stream] = HTTP2FlowControlWindow(scope: .stream(stream), size: Int64(initialWindowSize))
    }

    /// A response body of `count` bytes is ready on `stream` (0 bytes: the frame only ends the stream).
    mutating func enqueue(_ stream: UInt32, count: Int) {
        precondition(windows[stream] != nil, "data for a stream the scheduler does not know")
        precondition(pending[stream] == nil, "a second body for one stream")
        pending[stream] = count
        turns.append(stream)
    }

    /// The stream closed (finished, reset by either side): its window and bytes are forgotten.
    mutating func close(_ stream: UInt32) {
        windows[stream] = nil
        if pending.removeValue(forKey: stream) != nil, let index = turns.firstIndex(of: stream) {
            turns.remove(at: index)
            if index < nextTurn { nextTurn -= 1 }
        }
    }

    /// The next DATA frame to write, at most `room` bytes of payload; nil when nothing can go now.
    /// An empty body goes as a zero-length frame with END_STREAM, which no window limits.
    mutating func next(room: Int) -> Chunk? {
        guard !turns.isEmpty else { return nil }
        for _ in 0..<turns.count {
            if nextTurn >= turns.count { nextTurn = 0 }
            let stream = turns[nextTurn]
            let remaining = pending[stream]!
            let window = windows[stream]!.available
            let count = min(remaining, window, connectionWindow.available, maxFrameSize, room)
            if count > 0 || remaining == 0 {
                windows[stream]!.spend(count)
                connectionWindow.spend(count)
                let left = remaining - count
                if left == 0 {
                    pending[stream] = nil
                    turns.remove(at: nextTurn)
                } else {
                    pending[stream] = left
                    nextTurn += 1
                }
                return Chunk(streamID: stream, count: count, last: left == 0)
            }
            nextTurn += 1
        }
        return nil
    }

    /// The peer's WINDOW_UPDATE on the connection.
    mutating func connectionWindowUpdate(_ increment: UInt32) -> HTTP2Violation? {
        connectionWindow.applyWindowUpdate(increment: increment)
    }

    /// The peer's WINDOW_UPDATE on a stream; nil for a stream already closed (ignored, §6.9).
    mutating func streamWindowUpdate(_ stream: UInt32, _ increment: UInt32) -> HTTP2Violation? {
        guard windows[stream] != nil else { return nil }
        return windows[stream]!.applyWindowUpdate(increment: increment)
    }

    /// The peer's SETTINGS_INITIAL_WINDOW_SIZE changed: every open stream's window moves by the
    /// difference, possibly below zero (§6.9.2).
    mutating func setInitialWindowSize(_ size: UInt32) -> HTTP2Violation? {
        let delta = HTTP2FlowControlWindow.initialWindowSizeDelta(from: initialWindowSize, to: size)
        initialWindowSize = size
        guard delta != 0 else { return nil }
        for stream in Array(windows.keys) {
            if let violation = windows[stream]!.applyInitialWindowSizeDelta(delta) { return violation }
        }
        return nil
    }
}
