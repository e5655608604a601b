import CathammerContract
import Foundation
import HTTPWire

/// How an echo-capable target says it framed one request's body. Two dialects are understood: the
/// reference server's `/echo` JSON (`body_length`, `body_sha256`) and the `ok N` line the peer apps
/// in reports/peers/ answer with. Anything else is not an echo, and no framing check is made.
public struct EchoedFraming: Sendable, Equatable {
    public var bodyLength: Int
    /// Lower-case hex; nil when the target reports a length only.
    public var bodySHA256: String?
    /// How the target framed the body (`none`, `content-length`, `chunked`), when it says.
    public var framing: String?

    public init(bodyLength: Int, bodySHA256: String?, framing: String? = nil) {
        self.bodyLength = bodyLength
        self.bodySHA256 = bodySHA256
        self.framing = framing
    }

    public init?(responseBody body: [UInt8]) {
        if body.first == UInt8(ascii: "{") {
            guard let view = try? EchoView.BodyFraming(json: body), view.bodyLength >= 0 else { return nil }
            self.init(bodyLength: view.bodyLength, bodySHA256: view.bodySHA256, framing: view.framing)
            return
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ok "), let length = Int(text.dropFirst(3)), length >= 0 else { return nil }
        self.init(bodyLength: length, bodySHA256: nil)
    }
}

/// Compares the bodies a target reports having read with the bodies the strict parser frames in the
/// same bytes. A target can answer every request with the right status and still have read a
/// different body: the framing disagreement behind desyncs that only show one hop later.
public enum EchoFramingCheck {
    /// One line per disagreement, for the case's notes; empty when the target agrees or does not echo.
    /// Requests and final responses are paired in order; only 2xx answers are compared.
    public static func disagreements(strict requests: [ParsedRequest], finalResponses: [ResponseMessage]) -> [String] {
        var found: [String] = []
        for (index, (request, response)) in zip(requests, finalResponses).enumerated()
        where (200..<300).contains(response.status) {
            guard let echoed = EchoedFraming(responseBody: response.body) else { continue }
            let expectedHash = SHA256Hex.of(request.body)
            if echoed.bodyLength != request.body.count {
                found.append("framing: request \(index + 1): the target read a body of \(echoed.bodyLength) bytes, the strict parser frames \(request.body.count)")
            } else if let hash = echoed.bodySHA256, hash.lowercased() != expectedHash {
                found.append("framing: request \(index + 1): the target read \(echoed.bodyLength) body bytes with SHA-256 \(hash.prefix(12))…, the strict parser frames \(expectedHash.prefix(12))…")
            }
        }
        return found
    }

    /// True when some 2xx answer is an echo that gives a length and no hash (the peers' `ok N`):
    /// it cannot show whether the target decoded a coding or passed the bytes through.
    public static func reportsLengthOnly(_ finalResponses: [ResponseMessage]) -> Bool {
        finalResponses.contains { response in
            (200..<300).contains(response.status) && EchoedFraming(responseBody: response.body).map { $0.bodySHA256 == nil } == true
        }
    }
}
