/// What the parser enforces that depends on this endpoint rather than on the RFC alone.
public struct HTTP2FrameParserConfiguration: Sendable {
    public var role: HTTP2Role
    /// The SETTINGS_MAX_FRAME_SIZE this endpoint advertised and the peer acknowledged (§4.2).
    public var maxFrameSize: UInt32
    /// Bounds on one field block (see `HTTP2HeaderBlockAssembler`).
    public var maxHeaderBlockBytes: Int
    public var maxContinuationFrames: Int
    /// Client only: whether a PUSH_PROMISE is acceptable, i.e. SETTINGS_ENABLE_PUSH is still 1 or has
    /// not been acknowledged as 0 (§6.6). A server never accepts one (§8.4).
    public var acceptsPushPromise: Bool

    public init(
        role: HTTP2Role, maxFrameSize: UInt32 = HTTP2SettingsLimits.defaultMaxFrameSize,
        maxHeaderBlockBytes: Int = 65_536, maxContinuationFrames: Int = 16, acceptsPushPromise: Bool? = nil
    ) {
        precondition(maxFrameSize >= HTTP2SettingsLimits.defaultMaxFrameSize
                     && maxFrameSize <= HTTP2SettingsLimits.largestMaxFrameSize,
                     "SETTINGS_MAX_FRAME_SIZE must be within 16384...16777215 (RFC 9113 §6.5.2)")
        self.role = role
        self.maxFrameSize = maxFrameSize
        self.maxHeaderBlockBytes = maxHeaderBlockBytes
        self.maxContinuationFrames = maxContinuationFrames
        self.acceptsPushPromise = acceptsPushPromise ?? (role == .client)
    }
}
