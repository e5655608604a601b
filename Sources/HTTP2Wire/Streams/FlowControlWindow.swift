/// One flow-control window of RFC 9113 §6.9: the connection's or a stream's, in one direction.
/// A receive window is what this endpoint advertised (the peer's DATA consumes it); a send window is
/// what the peer advertised (our DATA consumes it). The size is signed: a SETTINGS_INITIAL_WINDOW_SIZE
/// decrease can make a send window negative (§6.9.2).
public struct HTTP2FlowControlWindow: Hashable, Sendable {
    /// 2^31−1 (§6.9.1).
    public static let maxSize: Int64 = Int64(HTTP2SettingsLimits.maxWindowSize)

    /// `.connection` for the connection window, `.stream(id)` for a stream's; errors take this scope.
    public let scope: HTTP2ErrorScope
    public private(set) var size: Int64

    public init(scope: HTTP2ErrorScope, size: Int64 = Int64(HTTP2SettingsLimits.defaultInitialWindowSize)) {
        precondition(size <= Self.maxSize, "window beyond 2^31-1")
        self.scope = scope
        self.size = size
    }

    // MARK: Receiving (our window, the peer's DATA)

    /// Consumes a received DATA frame's flow-controlled length: its whole payload, Pad Length and
    /// padding included (§6.1, §6.9.1). More than the window allows is FLOW_CONTROL_ERROR; the window is
    /// left unchanged then.
    public mutating func consumeReceived(flowControlledLength length: Int) -> HTTP2Violation? {
        guard Int64(length) <= size else {
            return violation("data-exceeds-flow-control-window", "RFC 9113 §6.9.1")
        }
        size -= Int64(length)
        return nil
    }

    /// Grows the window by the increment of a WINDOW_UPDATE this endpoint sends. The increment is our
    /// choice, so overflowing is our bug.
    public mutating func grantToPeer(_ increment: UInt32) {
        precondition(increment > 0 && Int64(increment) <= Self.maxSize - size,
                     "a WINDOW_UPDATE we send must be non-zero and keep the window within 2^31-1")
        size += Int64(increment)
    }

    // MARK: Sending (the peer's window, our DATA)

    /// Octets of DATA this endpoint may send now.
    public var available: Int { size > 0 ? Int(size) : 0 }

    /// Spends the window on DATA this endpoint sends; sending beyond it is our bug.
    public mutating func spend(_ length: Int) {
        precondition(length >= 0 && Int64(length) <= size, "DATA beyond the peer's flow-control window")
        size -= Int64(length)
    }

    /// Applies the peer's WINDOW_UPDATE. A zero increment is PROTOCOL_ERROR; growing beyond 2^31−1 is
    /// FLOW_CONTROL_ERROR (§6.9.1), for the stream or the connection as the scope says. The window is
    /// unchanged on error.
    public mutating func applyWindowUpdate(increment: UInt32) -> HTTP2Violation? {
        guard increment != 0 else {
            return HTTP2Violation("window-update-zero-increment", scope: scope, code: .protocolError,
                                  rfcSection: "RFC 9113 §6.9")
        }
        guard Int64(increment) <= Self.maxSize - size else {
            return violation("window-update-overflows-window", "RFC 9113 §6.9.1")
        }
        size += Int64(increment)
        return nil
    }

    // MARK: SETTINGS_INITIAL_WINDOW_SIZE

    /// Moves a stream window by the change of SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2). It may go negative;
    /// beyond 2^31−1 is a *connection* error FLOW_CONTROL_ERROR whatever the window's scope, because the
    /// setting is the connection's. The window is unchanged on error.
    public mutating func applyInitialWindowSizeDelta(_ delta: Int64) -> HTTP2Violation? {
        guard size + delta <= Self.maxSize else {
            return .connection("initial-window-size-change-overflows-window", .flowControlError, "RFC 9113 §6.9.2")
        }
        size += delta
        return nil
    }

    /// The delta between two SETTINGS_INITIAL_WINDOW_SIZE values.
    public static func initialWindowSizeDelta(from old: UInt32, to new: UInt32) -> Int64 {
        Int64(new) - Int64(old)
    }

    /// Applies a SETTINGS_INITIAL_WINDOW_SIZE change to every stream window given (the connection
    /// window is not affected, §6.9.2). Stops at the first overflow and reports it; the windows before
    /// it have moved, which does not matter because the connection is ending.
    public static func applyInitialWindowSizeChange(
        from old: UInt32, to new: UInt32, to windows: inout some MutableCollection<HTTP2FlowControlWindow>
    ) -> HTTP2Violation? {
        let delta = initialWindowSizeDelta(from: old, to: new)
        guard delta != 0 else { return nil }
        var index = windows.startIndex
        while index != windows.endIndex {
            if let violation = windows[index].applyInitialWindowSizeDelta(delta) { return violation }
            windows.formIndex(after: &index)
        }
        return nil
    }

    private func violation(_ reason: String, _ section: String) -> HTTP2Violation {
        HTTP2Violation(reason, scope: scope, code: .flowControlError, rfcSection: section)
    }
}
