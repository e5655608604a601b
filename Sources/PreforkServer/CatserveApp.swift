import CathammerContract
import Foundation
import HTTPWire

/// The default application (`--app catserve`): a page about cats, cats as JSON, the `/echo` oracle
/// the harness compares servers with, and `/sleep` for requests that are in flight during reloads.
final class CatserveApp: Application {
    private let staticFiles: StaticFiles?
    private let homePage: PrebuiltResponse
    private let cats: [PrebuiltResponse]
    /// Longest `/sleep` accepted, so a typo cannot park a connection for hours.
    static let maxSleepMilliseconds = 600_000

    static let catNames = ["Tom", "Mittens", "Felix", "Luna", "Simba", "Nala", "Oliver", "Cleo", "Garfield"]
    static let catColors = ["grey", "black", "ginger", "white", "tabby", "calico", "tuxedo", "cream", "orange"]

    init(staticFiles: StaticFiles? = nil) {
        self.staticFiles = staticFiles
        let page = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>cathammer</title></head>
            <body><h1>cathammer</h1>
            <p>A strict HTTP/1.1 reference server. Cats sleep 12 to 16 hours a day; this server never sleeps
            through a reload.</p>
            <ul><li><a href="/cats/1">/cats/1</a> a cat as JSON</li>
            <li><a href="/echo">/echo</a> how this server parsed your request</li>
            <li><a href="/sleep?ms=100">/sleep?ms=100</a> an answer after 100 ms</li></ul>
            </body></html>

            """
        homePage = PrebuiltResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
        cats = Self.catNames.indices.map { index in
            let json = "{\"id\":\(index + 1),\"name\":\"\(Self.catNames[index])\",\"color\":\"\(Self.catColors[index])\",\"lives\":9}\n"
            return PrebuiltResponse(status: 200, contentType: "application/json", body: Array(json.utf8))
        }
    }

    func prebuiltResponse(for request: RequestView) -> PrebuiltResponse? {
        let method = request.knownMethod
        guard method == .get || method == .head else { return nil }
        if request.pathEquals("/") { return homePage }
        if request.pathHasPrefix("/cats/") {
            let digits = UnsafeRawBufferPointer(rebasing: request.path[6...])
            guard digits.count == 1, let digit = digits.first, digit >= 0x31, digit <= 0x39 else { return nil }
            return cats[Int(digit - 0x31)]
        }
        return nil
    }

    func handle(_ request: RequestView, pending: PendingResponse) -> Response? {
        if request.targetForm == .asterisk {
            // OPTIONS * asks about the server as a whole (RFC 9110 §9.3.7).
            return Response(status: 200, headers: [("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH")])
        }
        if request.pathEquals("/echo") { return EchoView(request).response() }
        if request.pathEquals("/sleep") { return sleep(request, pending: pending) }
        let method = request.knownMethod
        if let staticFiles, let response = staticFiles.response(for: request) { return response }
        if request.pathHasPrefix("/cats/") && (method == .get || method == .head) {
            return .text(404, "no such cat: the cats are numbered 1 to \(Self.catNames.count)\n")
        }
        if request.pathEquals("/") || request.pathHasPrefix("/cats/") {
            var response = Response.text(405, "method not allowed\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        return .text(404, "not found\n")
    }

    private func sleep(_ request: RequestView, pending: PendingResponse) -> Response? {
        guard let text = request.queryValue("ms"), let milliseconds = Int(text), milliseconds >= 0,
              milliseconds <= Self.maxSleepMilliseconds
        else {
            return .text(400, "/sleep needs ?ms=N with 0 <= N <= \(Self.maxSleepMilliseconds)\n")
        }
        pending.after(milliseconds: milliseconds) {
            pending.send(.text(200, "slept \(milliseconds) ms\n"))
        }
        return nil
    }
}

extension EchoView {
    /// The view of a request as this server parsed it; `/echo` answers with it.
    init(_ request: RequestView) {
        func field(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Field {
            let printable = value.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }
            return Field(name: String(decoding: name, as: UTF8.self),
                         value: printable ? String(decoding: value, as: UTF8.self) : nil,
                         valueBase64: printable ? nil : Data(value).base64EncodedString())
        }
        func fields(_ list: FieldList) -> [Field] { (0..<list.count).map { field(list.name($0), list.value($0)) } }
        let framing: String
        switch request.framing {
        case .none: framing = "none"
        case .contentLength: framing = "content-length"
        case .chunked: framing = "chunked"
        }
        self.init(
            method: String(decoding: request.method, as: UTF8.self),
            target: String(decoding: request.target, as: UTF8.self),
            targetForm: request.targetForm.rawValue,
            version: request.version.description,
            authority: request.authority.map { String(decoding: $0, as: UTF8.self) },
            headers: fields(request.fields),
            framing: framing, bodyLength: request.body.count, bodySHA256: SHA256Hex.of(request.body),
            trailers: fields(request.trailers),
            keepAlive: request.keepAlive, scheme: request.scheme.rawValue)
        if request.version == .http2 { pseudoHeaders = fields(request.pseudoHeaders) }
    }

    func response() -> Response { Response(status: 200, contentType: "application/json", body: jsonBody()) }
}
