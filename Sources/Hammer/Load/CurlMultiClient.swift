import CathammerContract
import CCurl
@preconcurrency import Glibc

/// `slots` concurrent libcurl transfers on one multi handle (one thread): a keep-alive pool that
/// libcurl manages, with fresh connections and POSTs mixed in (request id mod 4: keep-alive GET,
/// keep-alive GET, fresh GET, POST). libcurl silently retries a request whose reused connection
/// died; the debug callback catches that, and the request is recorded as a reused-connection EOF
/// with `retried` set: such retries are reported, never hidden. Over https every handle shares one
/// session cache, so new connections resume; the request that opened a connection records its
/// handshake.
///
/// In `.http2` mode (the `h2` traffic kind) every transfer is an HTTP/2 stream: h2c with prior
/// knowledge over cleartext, ALPN h2 over TLS; libcurl multiplexes them (CURLPIPE_MULTIPLEX,
/// PIPEWAIT) on `profile.h2StreamsPerConnection` streams per connection, GETs and POSTs mixed, no
/// fresh-connection requests. A stream libcurl saw refused (REFUSED_STREAM, or nghttp2 closing it
/// because a GOAWAY's last-stream-id is below it) is retried by libcurl on a new connection; the
/// debug callback catches that and the stream is recorded as `refused_stream`.
final class CurlMultiClient: @unchecked Sendable {
    enum HTTPVersion: Equatable {
        case http1
        case http2
    }

    let target: Endpoint
    let profile: LoadProfile
    let budget: RequestBudget
    let log: RequestLog
    let slots: Int
    let protocolMode: HTTPVersion
    private var kind: TrafficKind { protocolMode == .http2 ? .h2 : .curl }

    /// One transfer in flight; libcurl's callbacks get it as their context.
    final class Transfer {
        let easy: UnsafeMutableRawPointer
        var id: UInt64 = 0
        var method = "GET"
        var fresh = false
        var started: UInt64 = 0
        var received = 0
        var retried = false
        /// libcurl said the server refused this stream and retried it (HTTP/2 only).
        var refused = false
        var tls: TLSSessionInfo?
        var headers: UnsafeMutablePointer<curl_slist>?
        /// Not before this time (the keep-alive idle gap).
        var nextStart: UInt64 = 0

        init(easy: UnsafeMutableRawPointer) { self.easy = easy }
    }

    init(slots: Int, target: Endpoint, profile: LoadProfile, budget: RequestBudget, log: RequestLog, protocolMode: HTTPVersion = .http1) {
        self.slots = slots
        self.protocolMode = protocolMode
        self.target = target
        self.profile = profile
        self.budget = budget
        self.log = log
    }

    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    func run() {
        _ = Self.initialized
        guard let multi = curl_multi_init() else { return }
        defer { curl_multi_cleanup(multi) }
        let tls = CurlTLS(endpoint: target)
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(8, slots * 2))
        if protocolMode == .http2 {
            let streams = max(1, profile.h2StreamsPerConnection)
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_PIPELINING, 2 /* CURLPIPE_MULTIPLEX */)
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, streams)
            _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (slots + streams - 1) / streams)
        }
        let body = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, profile.postBodyBytes))
        body.initialize(repeating: CChar(UInt8(ascii: "c")), count: max(1, profile.postBodyBytes))
        defer { body.deallocate() }
        var idle: [Transfer] = (0..<slots).compactMap { _ in curl_easy_init().map(Transfer.init) }
        var running: [UnsafeMutableRawPointer: Transfer] = [:]
        let all = idle
        defer {
            for transfer in all {
                curl_multi_remove_handle(multi, transfer.easy)
                curl_easy_cleanup(transfer.easy)
                curl_slist_free_all(transfer.headers)
            }
        }
        /// Local port → when libcurl opened that connection (for connection ages).
        var opened: [Int: UInt64] = [:]
        var exhausted = false
        var generator = SystemRandomNumberGenerator()
        while !(exhausted && running.isEmpty) {
            let now = MonotonicClock.now()
            var waitUntil = now + 20_000_000
            if !exhausted {
                var waiting: [Transfer] = []
                while let transfer = idle.popLast() {
                    if transfer.nextStart > now {
                        waiting.append(transfer)
                        waitUntil = min(waitUntil, transfer.nextStart)
                        continue
                    }
                    let grant = budget.request(1, now: now)
                    switch grant {
                    case .granted:
                        start(transfer, multi: multi, body: body, tls: tls, now: now)
                        running[transfer.easy] = transfer
                    case .notYet(let due):
                        waiting.append(transfer)
                        waitUntil = min(waitUntil, due)
                    case .exhausted:
                        waiting.append(transfer)
                        exhausted = true
                    }
                    if exhausted { break }
                    if case .notYet = grant { break }
                }
                idle += waiting
            }
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let transfer = running.removeValue(forKey: easy) else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                finish(transfer, code: code, opened: &opened)
                let gap = profile.idleGapMilliseconds.upperBound > 0 ? Int.random(in: profile.idleGapMilliseconds, using: &generator) : 0
                transfer.nextStart = MonotonicClock.now() + UInt64(gap) * 1_000_000
                idle.append(transfer)
            }
            let timeout = Int32(max(1, min(20, (waitUntil > MonotonicClock.now() ? waitUntil - MonotonicClock.now() : 0) / 1_000_000)))
            if running.isEmpty {
                if !exhausted { usleep(UInt32(timeout) * 1000) }
            } else {
                curl_multi_poll(multi, nil, 0, timeout, nil)
            }
        }
    }

    private func start(_ transfer: Transfer, multi: UnsafeMutableRawPointer, body: UnsafeMutablePointer<CChar>, tls: CurlTLS,
                       now: UInt64) {
        let easy = transfer.easy
        transfer.id = log.newID()
        transfer.started = now
        transfer.received = 0
        transfer.retried = false
        transfer.refused = false
        transfer.tls = nil
        let variant = transfer.id % 4
        // HTTP/2 streams share their connections: no request asks for one of its own.
        transfer.fresh = variant == 2 && protocolMode == .http1
        transfer.method = variant == 3 ? "POST" : "GET"
        let path = transfer.method == "POST" ? profile.postPath : profile.paths[Int(transfer.id % UInt64(profile.paths.count))]
        _ = ccurl_setopt_string(easy, CURLOPT_URL, tls.url(path))
        tls.configure(easy)
        curl_slist_free_all(transfer.headers)
        transfer.headers = curl_slist_append(nil, "X-Cathammer-Id: \(transfer.id)")
        // libcurl waits for 100-continue on larger POST bodies; the plain path is what the load is about.
        transfer.headers = curl_slist_append(transfer.headers, "Expect:")
        _ = ccurl_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headers)
        _ = ccurl_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_setopt_long(easy, CURLOPT_FRESH_CONNECT, transfer.fresh ? 1 : 0)
        _ = ccurl_setopt_long(easy, CURLOPT_FORBID_REUSE, transfer.fresh ? 1 : 0)
        // libcurl's connect phase includes the TLS handshake, which is bounded like a read.
        _ = ccurl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS,
                              Int(profile.connectTimeoutMilliseconds + (target.isTLS ? profile.readTimeoutMilliseconds : 0)))
        _ = ccurl_setopt_long(easy, CURLOPT_TIMEOUT_MS, Int(profile.connectTimeoutMilliseconds + profile.readTimeoutMilliseconds))
        _ = ccurl_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        switch protocolMode {
        case .http1:
            // libcurl 7.62+ would offer h2 in ALPN by default, and a server that takes it would turn
            // this keep-alive class into the h2 one.
            _ = ccurl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        case .http2:
            _ = ccurl_setopt_long(easy, CURLOPT_HTTP_VERSION,
                                  Int(target.isTLS ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE))
            // Wait for a connection that can take one more stream rather than open another.
            _ = ccurl_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        }
        if transfer.method == "POST" {
            _ = ccurl_setopt_long(easy, CURLOPT_POSTFIELDSIZE, profile.postBodyBytes)
            _ = ccurl_setopt_pointer(easy, CURLOPT_POSTFIELDS, body)
        } else {
            _ = ccurl_setopt_long(easy, CURLOPT_HTTPGET, 1)
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        _ = ccurl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = ccurl_setopt_callback(easy, CURLOPT_WRITEFUNCTION) { _, size, count, context in
            guard let context else { return 0 }
            Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().received += size * count
            return size * count
        }
        if target.isTLS {
            // The first header arrives while libcurl's SSL object is alive: read the handshake then.
            _ = ccurl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
            _ = ccurl_setopt_callback(easy, CURLOPT_HEADERFUNCTION) { _, size, count, context in
                guard let context else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                if transfer.tls == nil { transfer.tls = CurlTLS.session(of: transfer.easy) }
                return size * count
            }
        }
        _ = ccurl_setopt_long(easy, CURLOPT_VERBOSE, 1)
        _ = ccurl_setopt_pointer(easy, CURLOPT_DEBUGDATA, context)
        _ = ccurl_setopt_debug(easy) { _, type, data, size, context in
            guard type == CURLINFO_TEXT, let data, let context else { return 0 }
            let text = String(decoding: UnsafeRawBufferPointer(start: data, count: min(size, 64)), as: UTF8.self)
            if text.hasPrefix("Connection died, retrying") {
                Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().retried = true
            } else if text.hasPrefix("REFUSED_STREAM, retrying") {
                // libcurl 7.88 logs this for RST_STREAM REFUSED_STREAM and for a stream nghttp2
                // closed because a GOAWAY's last-stream-id was below it.
                Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue().refused = true
            }
            return 0
        }
        curl_multi_add_handle(multi, easy)
    }

    private func finish(_ transfer: Transfer, code: CURLcode, opened: inout [Int: UInt64]) {
        let easy = transfer.easy
        var status = 0
        var newConnections = 0
        var localPort = 0
        var connectTime = 0.0
        var version = 0
        _ = ccurl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        _ = ccurl_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        _ = ccurl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &newConnections)
        _ = ccurl_getinfo_long(easy, CURLINFO_LOCAL_PORT, &localPort)
        _ = ccurl_getinfo_double(easy, CURLINFO_CONNECT_TIME, &connectTime)
        let reused = newConnections == 0 || transfer.retried
        if newConnections > 0 && localPort > 0 { opened[localPort] = transfer.started }
        let age = reused ? opened[localPort].map { transfer.started > $0 ? transfer.started - $0 : 0 } ?? 0 : 0
        var (outcome, detail) = Self.classify(code: code, status: status, received: transfer.received,
                                              reused: reused, retried: transfer.retried, connected: connectTime > 0,
                                              refused: transfer.refused)
        if protocolMode == .http2 && code == CURLE_OK && version != Int(CURL_HTTP_VERSION_2_0) {
            // The target did not speak HTTP/2 (no h2 in ALPN): answered, but not what this kind tests.
            detail = [detail, "answered over HTTP/1.x, not HTTP/2"].filter { !$0.isEmpty }.joined(separator: "; ")
        }
        log.add(RequestRecord(id: transfer.id, kind: kind, method: transfer.method, outcome: outcome, detail: detail,
                              status: status, startNanoseconds: log.relative(transfer.started),
                              endNanoseconds: log.relative(MonotonicClock.now()), connectionAgeNanoseconds: age,
                              connectionRequests: 0, retried: transfer.retried, tls: newConnections > 0 ? transfer.tls : nil))
    }

    /// libcurl's result → outcome class.
    static func classify(code: CURLcode, status: Int, received: Int, reused: Bool, retried: Bool,
                         connected: Bool, refused: Bool = false) -> (OutcomeClass, String) {
        let message = String(cString: curl_easy_strerror(code))
        if refused {
            let after = code == CURLE_OK ? "the retry got \(status)" : "the retry failed: \(message)"
            return (.refusedStream, "refused unprocessed (REFUSED_STREAM or above a GOAWAY's last-stream-id); "
                    + "libcurl retried it on a new connection; \(after)")
        }
        if retried {
            let after = code == CURLE_OK ? "the retry got \(status)" : "the retry failed: \(message)"
            return (.eofReused, "libcurl retried on a new connection after the reused one closed; \(after)")
        }
        switch code {
        case CURLE_OK:
            return status >= 500 ? (.serverError, "status \(status)") : (.ok, "")
        case CURLE_COULDNT_CONNECT:
            return (.refused, "libcurl: \(message)")
        case _ where CurlTLS.isHandshakeFailure(code):
            return (.tlsHandshake, "libcurl: \(message)")
        case CURLE_OPERATION_TIMEDOUT:
            return connected ? (.readTimeout, "libcurl: \(message)") : (.connectTimeout, "libcurl: \(message)")
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR:
            if received == 0 && status == 0 { return (reused ? .eofReused : .eofFresh, "libcurl: \(message)") }
            return (.truncated, "libcurl: \(message)")
        case CURLE_SEND_ERROR:
            return (.writeError, "libcurl: \(message)")
        default:
            return (.truncated, "libcurl: \(message)")
        }
    }
}
