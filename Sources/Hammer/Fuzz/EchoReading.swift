import Foundation

/// How a target says it framed a request's body, read from its response: the reference server's
/// `/echo` JSON (`body_length`, `body_sha256`, `framing`), or a peer's `ok N` (node and gunicorn
/// in reports/peers answer with the body length).
public struct EchoReading: Sendable, Equatable {
    public var bodyLength: Int
    public var bodySHA256: String?
    public var framing: String?

    public init?(responseBody: [UInt8]) {
        if responseBody.first == UInt8(ascii: "{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(responseBody)) as? [String: Any],
                  let length = object["body_length"] as? Int
            else { return nil }
            bodyLength = length
            bodySHA256 = object["body_sha256"] as? String
            framing = object["framing"] as? String
            return
        }
        let text = String(decoding: responseBody, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ok "), let length = Int(text.dropFirst(3)) else { return nil }
        bodyLength = length
        bodySHA256 = nil
        framing = nil
    }
}
