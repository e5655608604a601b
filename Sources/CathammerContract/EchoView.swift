#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The reference server's `/echo` answer: how it parsed the request, as JSON. It is the
/// differential oracle: two servers that frame a request the same way produce the same view.
public struct EchoView: Codable, Equatable, Sendable {
    public struct Field: Codable, Equatable, Sendable {
        public var name: String
        public var value: String?
        /// Set instead of `value` when the bytes are not printable ASCII, so any byte survives JSON.
        public var valueBase64: String?

        public init(name: String, value: String?, valueBase64: String?) {
            self.name = name
            self.value = value
            self.valueBase64 = valueBase64
        }

        enum CodingKeys: String, CodingKey {
            case name, value, valueBase64 = "value_base64"
        }
    }

    public var method: String
    public var target: String
    /// `origin`, `absolute`, `authority` or `asterisk` (RFC 9112 §3.2).
    public var targetForm: String
    public var version: String
    public var authority: String?
    /// In the order received, duplicates kept.
    public var headers: [Field]
    /// HTTP/2 only: the pseudo-header fields (`:method`, `:scheme`, `:authority`, `:path`) as
    /// decoded, in order; absent for HTTP/1.x.
    public var pseudoHeaders: [Field]?
    /// `none`, `content-length` or `chunked`.
    public var framing: String
    public var bodyLength: Int
    /// Lower-case hex (`SHA256Hex`).
    public var bodySHA256: String
    public var trailers: [Field]
    public var keepAlive: Bool
    /// `http` or `https`: the scheme of the connection the request came on (absent from older servers).
    public var scheme: String?

    public init(method: String, target: String, targetForm: String, version: String, authority: String?, headers: [Field],
                framing: String, bodyLength: Int, bodySHA256: String, trailers: [Field], keepAlive: Bool,
                scheme: String? = nil) {
        self.method = method
        self.target = target
        self.targetForm = targetForm
        self.version = version
        self.authority = authority
        self.headers = headers
        self.framing = framing
        self.bodyLength = bodyLength
        self.bodySHA256 = bodySHA256
        self.trailers = trailers
        self.keepAlive = keepAlive
        self.scheme = scheme
        pseudoHeaders = nil
    }

    enum CodingKeys: String, CodingKey {
        case method, target, targetForm = "target_form", version, authority, headers, framing
        case bodyLength = "body_length", bodySHA256 = "body_sha256", trailers, keepAlive = "keep_alive", scheme
        case pseudoHeaders = "pseudo_headers"
    }

    /// The `/echo` response body: sorted keys, so the same view is the same bytes on every server
    /// and run, then a newline.
    public func jsonBody() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { Array($0) + [0x0A] } ?? Array("{}\n".utf8)
    }

    public init(json: [UInt8]) throws {
        self = try JSONDecoder().decode(EchoView.self, from: Data(json))
    }
}

extension EchoView {
    /// The part of the view the harness's framing check reads. Other echo-capable targets answer
    /// with these keys alone, so nothing else is required; a key of another type counts as absent.
    public struct BodyFraming: Decodable, Equatable, Sendable {
        public var bodyLength: Int
        public var bodySHA256: String?
        public var framing: String?

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: EchoView.CodingKeys.self)
            bodyLength = try container.decode(Int.self, forKey: .bodyLength)
            bodySHA256 = (try? container.decodeIfPresent(String.self, forKey: .bodySHA256)) ?? nil
            framing = (try? container.decodeIfPresent(String.self, forKey: .framing)) ?? nil
        }

        public init(json: [UInt8]) throws {
            self = try JSONDecoder().decode(BodyFraming.self, from: Data(json))
        }
    }
}
