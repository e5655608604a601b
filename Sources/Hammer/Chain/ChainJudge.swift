import CathammerContract
import Foundation
import HTTPWire

/// Compares what the client sent (as the strict parser frames it) with what the origin received
/// (`OriginWindow`) and names every disagreement by class.
public enum ChainJudge {
    /// Field names a proxy adds or rewrites in the ordinary course of forwarding (RFC 9110 §7.6:
    /// Via, Forwarded, Connection; the de-facto X-Forwarded-* family; re-framing with
    /// Content-Length or Transfer-Encoding; Host for an HTTP/1.0 request): at the origin they are
    /// normalization, not injection.
    public static let proxyFields: Set<String> = [
        "via", "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
        "x-forwarded-server", "x-real-ip", "x-varnish", "connection", "keep-alive", "content-length", "transfer-encoding",
        "host", "accept-encoding", "cache-control", "surrogate-capability", "client-ip", "x-request-id", "te", "pragma",
    ]

    /// What the client's bytes are, to the strict parser.
    public struct ClientStream: Sendable {
        public var requests: [ParsedRequest]
        /// The strict parser's refusal, and where in the stream the refused request began.
        public var violation: HTTPViolation?
        public var refusedRequestStart: Int
        /// The stream ended inside a request.
        public var unfinished: Bool
        public var bytes: [UInt8]
        /// The refusal is about framing (as the fuzzer's oracle decides): only then can a front and
        /// the strict parser disagree on where the refused request ends. After another refusal
        /// (a missing Host, a bad target) the bytes behind are ordinary pipelined requests.
        public var refusalConcernsFraming: Bool

        public init(sent: [UInt8]) {
            var stream = RequestStreamParser()
            stream.feed(sent)
            requests = stream.requests
            violation = stream.violation
            refusedRequestStart = stream.consumed
            unfinished = stream.isInsideRequest
            bytes = sent
            refusalConcernsFraming = violation != nil && Oracle.expect(sent).refusalConcernsFraming
        }

        /// Requests a front may forward: the complete ones, plus one for a refused or unfinished
        /// request (a front may repair what the RFC lets it repair, e.g. obs-fold, and forward it).
        var mostForwardable: Int {
            if violation != nil && !refusalConcernsFraming { return .max }
            return requests.count + (violation != nil || unfinished ? 1 : 0)
        }
    }

    /// What every chain shares, whatever the client spoke: the origin's rejections, more requests than
    /// the client sent, a fence behind or inside leftover bytes, an unfinished request held, and
    /// `Upgrade: h2c` forwarded.
    static func hopChecks(origin: OriginWindow, mostForwardable: Int, clientUnfinished: Bool, describeClient: String) -> [Discrepancy] {
        var found: [Discrepancy] = []
        // forwarded-invalid: the strict origin refused what the front passed on.
        for connection in origin.connections {
            for rejection in connection.rejections {
                let excerpt = excerptAround(rejection.offset - connection.startOffset, in: connection.bytes)
                if rejection.status == 408 {
                    found.append(Discrepancy(.normalization, "origin connection #\(connection.id): the front forwarded an unfinished request and the origin timed it out (408)", basis: rejection.rfcSection))
                    continue
                }
                if [413, 414, 417, 431].contains(rejection.status) {
                    // Sizes and expectations are each server's configuration, not invalid bytes: a
                    // front with larger limits than the origin's is a deployment matter.
                    found.append(Discrepancy(.normalization,
                        "origin connection #\(connection.id): the origin's limits refused what the front forwarded: \(rejection.status) \(rejection.reason) (\(rejection.rfcSection))",
                        basis: rejection.rfcSection))
                    continue
                }
                found.append(Discrepancy(.forwardedInvalid,
                    "origin connection #\(connection.id) refused what the front forwarded: \(rejection.status) \(rejection.reason) (\(rejection.rfcSection)) at byte \(rejection.offset): «\(excerpt)»",
                    basis: rejection.rfcSection, key: rejection.reason))
            }
        }
        // request-count: more requests at the origin than the client's bytes hold, or an origin
        // connection left mid-request.
        let originRequests = origin.requests
        if originRequests.count > mostForwardable {
            found.append(Discrepancy(.requestCount,
                "the origin framed \(originRequests.count) request(s) where the client sent \(describeClient)"
                    + ": " + originRequests.map { "\($0.view.method) \($0.view.target)" }.joined(separator: ", "),
                basis: "desync", key: "more-requests"))
        }
        switch origin.fence {
        case .poisoned(let prefix, let connection):
            found.append(Discrepancy(.requestCount,
                "the fence request sent after the case reached origin connection #\(connection) behind \(prefix) byte(s) forwarded for this case: the front left that connection mid-request, and the next client's request was appended to it",
                basis: "desync", key: "fence-poisoned"))
        case .absorbed(let connection):
            found.append(Discrepancy(.requestCount,
                "the fence request sent after the case was read by origin connection #\(connection) as part of an earlier request: the front left that connection mid-request",
                basis: "desync", key: "fence-absorbed"))
        case .seen, .lost:
            break
        }
        for connection in origin.connections where connection.unfinishedBytes > 0 {
            let tail = Array(connection.bytes.suffix(connection.unfinishedBytes))
            let detail = "origin connection #\(connection.id) holds \(connection.unfinishedBytes) byte(s) of an unfinished request «\(ByteEscapes.encode(tail.prefix(120)))»"
            if clientUnfinished {
                found.append(Discrepancy(.normalization, detail + " (the client's own request was unfinished too)", basis: "RFC 9112 §8"))
            } else {
                found.append(Discrepancy(.requestCount, detail + " on a connection still open when the fence arrived: a request the front sends on it next is appended to these bytes", basis: "desync",
                                         key: "unfinished"))
            }
        }
        for connection in origin.connections where connection.carriedOver {
            found.append(Discrepancy(.requestCount,
                "origin connection #\(connection.id): a request was completed with bytes forwarded for an earlier case", basis: "desync",
                key: "carried-over"))
        }
        for request in originRequests {
            let upgrade = request.view.headers.filter { $0.name.lowercased() == "upgrade" }.compactMap(\.value)
            if upgrade.contains(where: { $0.lowercased().split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "h2c" } }) {
                found.append(Discrepancy(.upgradeH2C,
                    "\(request.view.method) \(request.view.target): `Upgrade: \(upgrade.joined(separator: ", "))` reached the origin; an origin that switches to h2c gives the client a tunnel past the front",
                    basis: "RFC 9113 §3.1", key: "h2c"))
            }
        }
        return found
    }

    public static func judge(client: ClientStream, origin: OriginWindow) -> [Discrepancy] {
        var found = hopChecks(origin: origin, mostForwardable: client.mostForwardable, clientUnfinished: client.unfinished,
                              describeClient: "\(client.requests.count)"
                                  + (client.violation != nil ? " and one the strict parser refuses" : client.unfinished ? " and one unfinished" : ""))
        let originRequests = origin.requests
        if originRequests.count < client.requests.count {
            found.append(Discrepancy(.normalization,
                "the origin received \(originRequests.count) of the client's \(client.requests.count) request(s): the front answered the rest itself (a cache, its own refusal, or a close)",
                basis: "RFC 9110 §7.6"))
        }

        // Pair each origin request with the client request it came from, in order.
        var clientIndex = 0
        for (index, request) in originRequests.enumerated() {
            let view = request.view
            guard clientIndex < client.requests.count else {
                // A request the strict parser refused or did not finish, forwarded repaired.
                found += repairedChecks(view, number: index + 1, client: client)
                continue
            }
            // Skip client requests the front answered itself (cached): find the next one that matches.
            if let match = client.requests[clientIndex...].firstIndex(where: { sameRequest($0, view) }) { clientIndex = match }
            let original = client.requests[clientIndex]
            clientIndex += 1
            found += pairChecks(original, view, number: index + 1)
        }
        return found
    }

    static func sameRequest(_ request: ParsedRequest, _ view: EchoView) -> Bool {
        String(decoding: request.method, as: UTF8.self) == view.method
            && (String(decoding: request.target, as: UTF8.self) == view.target
                || String(decoding: request.path, as: UTF8.self) == view.target.prefix { $0 != "?" })
    }

    /// framing, injected-field and normalization for one forwarded request.
    static func pairChecks(_ original: ParsedRequest, _ view: EchoView, number: Int) -> [Discrepancy] {
        var found: [Discrepancy] = []
        let hash = SHA256Hex.of(original.body)
        let method = String(decoding: original.method, as: UTF8.self)
        if (method == "GET" || method == "HEAD") && view.bodyLength == 0 && view.framing == "none" && !original.body.isEmpty {
            // Content in a GET has no defined semantics (RFC 9110 §9.3.1): a front that reads it and
            // does not pass it on keeps both hops framed alike.
            found.append(Discrepancy(.normalization,
                "request \(number) (\(view.method) \(view.target)): the front read the \(original.body.count)-byte body of a \(method) and did not forward it",
                basis: "RFC 9110 §9.3.1"))
        } else if view.bodyLength != original.body.count || view.bodySHA256 != hash {
            found.append(Discrepancy(.framing,
                "request \(number) (\(view.method) \(view.target)): the client's framing means a body of \(original.body.count) byte(s) (SHA-256 \(hash.prefix(12))…); the origin received \(view.bodyLength) (SHA-256 \(view.bodySHA256.prefix(12))…)",
                basis: "desync", key: "body"))
        }
        let clientNames = Set(original.fields.map { String(decoding: $0.name, as: UTF8.self).lowercased() })
        found += injectedFields(view, clientNames: clientNames, number: number)
        var changes: [String] = []
        if view.method != method { changes.append("method \(method) → \(view.method)") }
        let target = String(decoding: original.target, as: UTF8.self)
        if view.target != target { changes.append("target \(target) → \(view.target)") }
        if view.version != original.version.description { changes.append("version \(original.version.description) → \(view.version)") }
        let originNames = Set(view.headers.map { $0.name.lowercased() })
        let added = originNames.subtracting(clientNames).sorted()
        let removed = clientNames.subtracting(originNames).sorted()
        if !added.isEmpty { changes.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { changes.append("removed \(removed.joined(separator: ", "))") }
        let framing = original.framing == .none ? "none" : original.framing == .chunked ? "chunked" : "content-length"
        if view.framing != framing { changes.append("framing \(framing) → \(view.framing)") }
        if !changes.isEmpty {
            found.append(Discrepancy(.normalization, "request \(number): " + changes.joined(separator: "; "), basis: "RFC 9110 §7.6"))
        }
        return found
    }

    /// A forwarded request whose client bytes the strict parser refused (or that were unfinished):
    /// no strict body to compare, but its field names must still come from the client's lines.
    static func repairedChecks(_ view: EchoView, number: Int, client: ClientStream) -> [Discrepancy] {
        let names = Set(lineNames(Array(client.bytes[min(client.refusedRequestStart, client.bytes.count)...])))
        var found = injectedFields(view, clientNames: names, number: number)
        found.append(Discrepancy(.normalization,
            "request \(number) (\(view.method) \(view.target)): the front forwarded a request the strict parser "
                + (client.violation.map { "refuses (\($0.reason.rawValue), \($0.rfcSection))" } ?? "does not see finished")
                + " in the client's bytes",
            basis: client.violation?.rfcSection ?? "RFC 9112 §8"))
        return found
    }

    static func injectedFields(_ view: EchoView, clientNames: Set<String>, number: Int) -> [Discrepancy] {
        var found: [Discrepancy] = []
        var reported: Set<String> = []
        for field in view.headers {
            let name = field.name.lowercased()
            guard !clientNames.contains(name), !proxyFields.contains(name), !name.hasPrefix("x-forwarded-"),
                  reported.insert(name).inserted else { continue }
            found.append(Discrepancy(.injectedField,
                "request \(number) (\(view.method) \(view.target)): field `\(field.name)` at the origin, which no client field line produced",
                basis: "desync", key: name))
        }
        return found
    }

    /// Field names as a lenient reader could take them from the client's bytes (every head in them):
    /// lines end at LF
    /// (RFC 9112 §2.2 lets a recipient take a lone LF as a line end, a CR before it dropped); a
    /// name is what precedes the colon, or the whole line where there is none (some fronts keep such
    /// a line as a field with an empty value). A bare CR does not end a line: a front that splits
    /// on it manufactures a field line (RFC 9112 §2.2: a bare CR is invalid or replaced by SP).
    static func lineNames(_ bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropFirst()
        while let raw = lines.popFirst() {
            let line = raw.last == 0x0D ? raw.dropLast() : raw[...]
            if line.isEmpty { continue }
            let name = line.firstIndex(of: 0x3A).map { line[line.startIndex..<$0] } ?? line
            names.append(String(decoding: name, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased())
        }
        return names
    }

    static func excerptAround(_ offset: Int, in bytes: [UInt8]) -> String {
        guard !bytes.isEmpty else { return "" }
        let center = max(0, min(offset, bytes.count - 1))
        let lower = max(0, center - 40)
        let upper = min(bytes.count, center + 40)
        return ByteEscapes.encode(bytes[lower..<upper])
    }
}
