import CCurl
import Foundation

/// What a real client nobody here wrote does against the target: libcurl's keep-alive reuse,
/// `Expect: 100-continue`, chunked upload of unknown length, HEAD and HTTP/1.0. Reported as the
/// `libcurl` category next to the corpus cases. Over https with the run's CA, verification and SNI,
/// the handles sharing one session cache (so later checks resume).
public enum CurlChecks {
    /// How many results `run` returns.
    public static let count = 5

    /// One libcurl transfer and what came of it.
    struct Transfer {
        var code: CURLcode
        var status: Int
        var newConnections: Int
        var body: [UInt8]
        var error: String
        /// What the transfer's TLS connection negotiated (nil over cleartext).
        var tls: TLSSessionInfo?
    }

    /// Collects the response body and the TLS handshake; passed to libcurl as its write and header context.
    private final class Sink {
        let handle: UnsafeMutableRawPointer
        var bytes: [UInt8] = []
        var tls: TLSSessionInfo?
        init(handle: UnsafeMutableRawPointer) { self.handle = handle }
    }

    /// Feeds an upload of unknown length in small pieces; the read context.
    private final class Source {
        var remaining: [UInt8]
        init(_ bytes: [UInt8]) { remaining = bytes }
    }

    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func makeCase(_ id: String, _ title: String, rfc: String, why: String, description: String) -> CorpusCase {
        CorpusCase(id: id, title: title, category: "libcurl", level: "MUST", rfc: rfc, references: ["libcurl"],
                   why: why, steps: [.send(Array(description.utf8), bytewise: false)], sendTexts: [description],
                   canary: false, pass: [OutcomePattern("2xx")!], warn: [], path: "libcurl")
    }

    /// Runs every check against `endpoint`; `echoPath` is a path that accepts any method and body.
    public static func run(_ endpoint: Endpoint, timeout: Double, echoPath: String = "/echo") -> [CaseResult] {
        _ = initialized
        let tls = CurlTLS(endpoint: endpoint)
        let base = tls.url("")
        var results: [CaseResult] = []

        func record(_ testCase: CorpusCase, _ transfers: [Transfer], started: Date, check: () -> (Verdict, String?)) {
            var result = CaseResult(testCase: testCase, verdict: .pass, observed: nil, responses: [], received: [], sent: [],
                                    durationMilliseconds: Int(Date().timeIntervalSince(started) * 1000), notes: [])
            result.observed = ObservedOutcome(statuses: transfers.map(\.status), ending: .open)
            result.received = transfers.last?.body ?? []
            result.tls = transfers.first?.tls
            if let failed = transfers.first(where: { $0.code != CURLE_OK }) {
                result.verdict = .fail
                result.notes.append("libcurl: \(failed.error)")
            } else {
                let (verdict, note) = check()
                result.verdict = verdict
                if let note { result.notes.append(note) }
            }
            result.runs = [CaseResult.RunRecord(verdict: result.verdict, observed: result.observed?.description ?? "nothing")]
            results.append(result)
        }

        // Keep-alive: the second request reuses the first one's connection.
        var started = Date()
        let handle = curl_easy_init()
        let first = perform(handle, url: base + "/", tls: tls, timeout: timeout)
        let second = perform(handle, url: base + "/", tls: tls, timeout: timeout)
        curl_easy_cleanup(handle)
        record(makeCase("CURL-KEEPALIVE-REUSE", "libcurl reuses a keep-alive connection", rfc: "RFC 9112 §9.3",
                        why: "HTTP/1.1 connections persist unless either side says close; a server that closes after every response costs every client a handshake.",
                        description: "GET / twice on one libcurl handle"),
               [first, second], started: started) {
            guard (200..<300).contains(first.status), (200..<300).contains(second.status) else {
                return (.fail, "statuses \(first.status), \(second.status)")
            }
            return second.newConnections == 0 ? (.pass, nil) : (.warn, "the second request needed a new connection")
        }

        // Expect: 100-continue: libcurl sends it for bodies above 1 KiB and waits for the 100.
        started = Date()
        let body = [UInt8](repeating: UInt8(ascii: "c"), count: 4096)
        let expect = perform(nil, url: base + echoPath, tls: tls, timeout: timeout, upload: body, headers: ["Expect: 100-continue"])
        record(makeCase("CURL-EXPECT-100", "libcurl upload with Expect: 100-continue", rfc: "RFC 9110 §10.1.1",
                        why: "A server that ignores the expectation makes the client wait or send the body blind; one that reads the body twice desyncs.",
                        description: "POST \(echoPath) with 4096 bytes and Expect: 100-continue"),
               [expect], started: started) {
            guard (200..<500).contains(expect.status), expect.status != 417 else { return (.fail, "status \(expect.status)") }
            return echoedLength(expect.body, expected: body.count)
        }

        // Chunked upload of unknown length.
        started = Date()
        let chunked = perform(nil, url: base + echoPath, tls: tls, timeout: timeout, upload: Array(repeating: UInt8(ascii: "k"), count: 3000),
                              headers: ["Transfer-Encoding: chunked"], unknownLength: true)
        record(makeCase("CURL-CHUNKED-UPLOAD", "libcurl chunked upload of unknown length", rfc: "RFC 9112 §7.1",
                        why: "Streaming clients send chunked bodies; a server must de-chunk them or refuse with 411, not mis-frame them.",
                        description: "POST \(echoPath) with a chunked body of 3000 bytes"),
               [chunked], started: started) {
            if (200..<300).contains(chunked.status) { return echoedLength(chunked.body, expected: 3000) }
            return chunked.status == 411 ? (.warn, "411: chunked uploads refused") : (.fail, "status \(chunked.status)")
        }

        // HEAD: a body-less response that still announces the length.
        started = Date()
        let head = perform(nil, url: base + "/", tls: tls, timeout: timeout, noBody: true)
        record(makeCase("CURL-HEAD", "libcurl HEAD request", rfc: "RFC 9110 §9.3.2",
                        why: "A HEAD response that carries a body desynchronizes every client that reuses the connection.",
                        description: "HEAD /"),
               [head], started: started) {
            (200..<300).contains(head.status) && head.body.isEmpty ? (.pass, nil) : (.fail, "status \(head.status), \(head.body.count) body bytes")
        }

        // HTTP/1.0: answered, and the connection is not kept without keep-alive.
        started = Date()
        let old = perform(nil, url: base + "/", tls: tls, timeout: timeout, http10: true)
        record(makeCase("CURL-HTTP10", "libcurl HTTP/1.0 request", rfc: "RFC 9112 §9.3",
                        why: "HTTP/1.0 clients still exist (probes, old proxies); they expect a close unless they asked for keep-alive.",
                        description: "GET / as HTTP/1.0"),
               [old], started: started) {
            (200..<300).contains(old.status) ? (.pass, nil) : (.fail, "status \(old.status)")
        }
        return results
    }

    /// On an echo-capable target (the reference server's /echo) the framing is checked too: the
    /// body length the server parsed must be what was sent.
    static func echoedLength(_ body: [UInt8], expected: Int) -> (Verdict, String?) {
        guard let echoed = EchoedFraming(responseBody: body) else { return (.pass, nil) }
        return echoed.bodyLength == expected ? (.pass, nil) : (.fail, "the server parsed a body of \(echoed.bodyLength) bytes, \(expected) were sent")
    }

    private static func perform(_ reused: UnsafeMutableRawPointer?, url: String, tls: CurlTLS, timeout: Double, upload: [UInt8]? = nil,
                                headers: [String] = [], unknownLength: Bool = false, noBody: Bool = false,
                                http10: Bool = false) -> Transfer {
        guard let handle = reused ?? curl_easy_init() else {
            return Transfer(code: CURLE_FAILED_INIT, status: 0, newConnections: 0, body: [], error: "curl_easy_init failed", tls: nil)
        }
        defer { if reused == nil { curl_easy_cleanup(handle) } }
        let sink = Sink(handle: handle)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        ccurl_setopt_string(handle, CURLOPT_URL, url)
        ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        ccurl_setopt_long(handle, CURLOPT_NOBODY, noBody ? 1 : 0)
        ccurl_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(http10 ? CURL_HTTP_VERSION_1_0 : CURL_HTTP_VERSION_1_1))
        // For HTTP/1.0 libcurl offers ALPN "http/1.0", which a server may refuse with an alert
        // (RFC 7301 §3.2); the check is about HTTP/1.0, so it offers no ALPN, as HTTP/1.0 clients did.
        ccurl_setopt_long(handle, CURLOPT_SSL_ENABLE_ALPN, http10 ? 0 : 1)
        ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION) { buffer, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            sink.bytes += UnsafeRawBufferPointer(start: buffer, count: size * count)
            return size * count
        }
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        tls.configure(handle)
        if tls.endpoint.isTLS {
            ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, Unmanaged.passUnretained(sink).toOpaque())
            ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION) { _, size, count, context in
                let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                if sink.tls == nil { sink.tls = CurlTLS.session(of: sink.handle) }
                return size * count
            }
        }
        ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        let source = Source(upload ?? [])
        if upload != nil {
            ccurl_setopt_long(handle, CURLOPT_POST, 1)
            ccurl_setopt_callback(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                let source = Unmanaged<Source>.fromOpaque(context!).takeUnretainedValue()
                // Small pieces, so a chunked upload really arrives as several chunks.
                let length = min(size * count, source.remaining.count, 700)
                source.remaining.withUnsafeBytes { UnsafeMutableRawPointer(buffer!).copyMemory(from: $0.baseAddress!, byteCount: length) }
                source.remaining.removeFirst(length)
                return length
            }
            ccurl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
            ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, unknownLength ? -1 : upload!.count)
        } else {
            ccurl_setopt_long(handle, CURLOPT_HTTPGET, noBody ? 0 : 1)
        }
        let code = curl_easy_perform(handle)
        var status = 0
        var connects = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        ccurl_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        // Detach what this call owned before the handle is reused.
        ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, nil)
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, nil)
        let message = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        return Transfer(code: code, status: status, newConnections: connects, body: sink.bytes, error: message, tls: sink.tls)
    }
}
