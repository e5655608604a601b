import HTTP2Wire
import HTTPWire

/// One client stream of an HTTP/2 connection: its §5.1 state, its receive window, the request as it
/// arrives and the response as it leaves. Send windows live in `HTTP2SendScheduler`.
final class HTTP2Stream {
    enum Phase: Equatable {
        /// The request's fields are in; DATA (and maybe trailers) still come.
        case receivingBody
        /// The application has the request; its answer may come later (/sleep).
        case handling
        /// The response HEADERS are out; body bytes may still wait for window.
        case responding
        /// The response was refused or answered before the request ended (413, 431): later DATA is
        /// counted against the windows and dropped until the client's END_STREAM or our RST_STREAM.
        case answeredEarly
    }

    let id: UInt32
    var machine: HTTP2StreamStateMachine
    var receiveWindow: HTTP2FlowControlWindow
    var phase: Phase = .receivingBody
    /// The request head, kept while the body arrives: the decoded fields and where its parts are.
    var fields = DecodedFieldList(byteCapacity: 0, fieldCapacity: 0)
    var head: H2RequestHead
    var bodyCounter: H2RequestBodyCounter
    var body: [UInt8] = []
    var trailers = DecodedFieldList(byteCapacity: 0, fieldCapacity: 0)
    var isHead: Bool { head.knownMethod == .head }
    /// Body bytes received since the last WINDOW_UPDATE for this stream.
    var unacknowledgedBytes = 0
    let startedAt: UInt64

    /// The response body still to send: bytes and where we are in them, or an open file.
    var responseBody: [UInt8] = []
    var responseOffset = 0
    var responseFile: FileBody?
    var status = 0

    init(id: UInt32, head: H2RequestHead, initialWindow: UInt32, now: UInt64) {
        self.id = id
        machine = HTTP2StreamStateMachine(streamID: id)
        receiveWindow = HTTP2FlowControlWindow(scope: .stream(id), size: Int64(initialWindow))
        self.head = head
        bodyCounter = H2RequestBodyCounter(head)
        startedAt = now
    }

    /// The client has sent everything (END_STREAM received).
    var requestEnded: Bool {
        switch machine.state {
        case .halfClosedRemote, .closed: return true
        default: return false
        }
    }
}
