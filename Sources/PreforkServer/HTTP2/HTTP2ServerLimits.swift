import HTTP2Wire
import HTTPWire

/// What one HTTP/2 connection of a worker may hold and how fast its peer may spend it: the
/// settings this server announces, derived from the HTTP/1.1 request limits so that both versions
/// refuse the same requests, and the budgets against the known floods (README: "HTTP/2 limits").
struct HTTP2ServerLimits: Equatable, Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS (nginx 128, Kestrel and HAProxy 100).
    var maxConcurrentStreams: UInt32 = 100
    /// SETTINGS_INITIAL_WINDOW_SIZE: the receive window of each stream, so an upload is buffered
    /// at most this far ahead of what the server took (nginx's body preread is 64 KiB).
    var initialWindowSize: UInt32 = 65_535
    /// The connection's receive window, raised from 65,535 by a WINDOW_UPDATE right after SETTINGS
    /// (Envoy's edge guide: 1 MiB).
    var connectionWindowSize: UInt32 = 1 << 20
    /// SETTINGS_MAX_FRAME_SIZE: the default; a larger frame is a FRAME_SIZE_ERROR (§4.2).
    var maxFrameSize: UInt32 = HTTP2SettingsLimits.defaultMaxFrameSize
    /// SETTINGS_MAX_HEADER_LIST_SIZE and the HPACK decoder's bound on a decoded list (name + value
    /// + 32 per field, RFC 9113 §6.5.2): the HTTP/1.1 header section limit. Over it: 431.
    var maxHeaderListSize: Int
    /// Encoded bytes of one field block (HEADERS + CONTINUATION payloads): refused as soon as the
    /// frame headers pass it, never buffered further.
    var maxHeaderBlockBytes: Int
    /// CONTINUATION frames in one field block, empty ones included.
    var maxContinuationFrames = 16
    /// Regular fields in one request: the HTTP/1.1 field count limit. Over it: 431.
    var maxFieldCount: Int
    /// A request body: the HTTP/1.1 body limit. Over it: 413.
    var maxBody: Int
    /// Streams one connection may open in its life (`--http2-max-streams-per-connection`); then a
    /// GOAWAY that names the last of them (nginx: 1000 requests).
    var maxStreamsPerConnection = ServerConfig.defaultHTTP2MaxStreamsPerConnection
    /// Bytes queued for a peer that does not read (control answers included): past this the
    /// connection is ended, so a PING or SETTINGS flood cannot grow memory.
    var maxQueuedOutput = 256 * 1024
    /// Bytes of DATA prepared ahead of the socket per connection: the output scheduler stops
    /// filling past this, so a slow reader costs at most this much per connection.
    var outputHighWater = 64 * 1024
    /// Bytes one connection may write per turn of the worker's loop before the others get theirs:
    /// a client that reads as fast as loopback (or a socket buffer of megabytes) would otherwise hold
    /// the loop while its response streams out, and on a busy machine the worker's other connections
    /// could pass their deadlines unread (nginx bounds a turn the same way: sendfile_max_chunk).
    var writeBurst = 256 * 1024
    /// Nanoseconds the peer has to acknowledge our SETTINGS (§6.5.3: SETTINGS_TIMEOUT).
    var settingsTimeout: UInt64 = 10_000_000_000
    /// Nanoseconds the shutdown PING of a graceful GOAWAY may take before the final GOAWAY goes anyway.
    var shutdownPingTimeout: UInt64 = 2_000_000_000

    // Flood budgets: a burst, then a refill per second (HTTP2FloodBudget).
    /// Streams the client resets before their response is complete (Rapid Reset, CVE-2023-44487).
    var earlyResets = HTTP2FloodBudget(burst: 200, perSecond: 100)
    var settingsFrames = HTTP2FloodBudget(burst: 32, perSecond: 8)
    var pingFrames = HTTP2FloodBudget(burst: 32, perSecond: 8)
    /// Refilled also by every DATA frame sent, which a client legitimately answers with WINDOW_UPDATE.
    var windowUpdateFrames = HTTP2FloodBudget(burst: 400, perSecond: 100)
    var priorityFrames = HTTP2FloodBudget(burst: 400, perSecond: 100)
    /// Empty DATA without END_STREAM, empty field blocks, frames of unknown types (CVE-2019-9518).
    var emptyFrames = HTTP2FloodBudget(burst: 64, perSecond: 16)

    init(parserLimits: ParserLimits) {
        maxHeaderListSize = parserLimits.maxHeaderSection
        maxHeaderBlockBytes = parserLimits.maxHeaderSection
        maxFieldCount = parserLimits.maxFieldCount
        maxBody = parserLimits.maxBody
    }

    /// The SETTINGS frame this server opens with (§3.4).
    var announcedSettings: [HTTP2Setting] {
        [HTTP2Setting(.maxConcurrentStreams, maxConcurrentStreams), HTTP2Setting(.initialWindowSize, initialWindowSize),
         HTTP2Setting(.maxFrameSize, maxFrameSize), HTTP2Setting(.maxHeaderListSize, UInt32(clamping: maxHeaderListSize)),
         // A server never pushes; saying so lets a strict client refuse a PUSH_PROMISE (§8.4).
         HTTP2Setting(.enablePush, 0)]
    }

    var frameParserConfiguration: HTTP2FrameParserConfiguration {
        HTTP2FrameParserConfiguration(role: .server, maxFrameSize: maxFrameSize, maxHeaderBlockBytes: maxHeaderBlockBytes,
                                      maxContinuationFrames: maxContinuationFrames)
    }
}
