/// The request head as ranges into the caller's input: nothing is copied while parsing.
/// Ranges are offsets into the input passed to the `RequestParser.next(_:)` call that returned `.head`.
public struct RequestHead: Sendable, Equatable {
    public var method: Range<Int> = 0..<0
    public var knownMethod: HTTPMethod = .other
    public var target: Range<Int> = 0..<0
    public var targetForm: TargetForm = .origin
    /// The path of origin-form and absolute-form targets; empty for an absolute-form target without
    /// one (which means "/"), and for the asterisk and authority forms.
    public var path: Range<Int> = 0..<0
    public var query: Range<Int>? = nil
    /// Where the authority came from: the absolute-form or authority-form target, else the Host value.
    public var authority: Range<Int>? = nil
    public var version: HTTPVersion = .http11
    public var fields: [FieldLine] = []
    public var framing: BodyFraming = .none
    /// The connection may carry another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool = true
    /// `Expect: 100-continue` on HTTP/1.1 (ignored on HTTP/1.0, RFC 9110 §10.1.1).
    public var expectsContinue: Bool = false
    /// An Upgrade field on HTTP/1.1 (ignored on HTTP/1.0, RFC 9110 §7.8).
    public var upgradeRequested: Bool = false
    /// Bytes of the head, leading empty lines and the final CRLF included.
    public var length: Int = 0

    public init() {}
}

public enum HTTPVersion: Sendable, Equatable, CustomStringConvertible {
    case http10
    case http11
    /// A request that arrived over HTTP/2 (RFC 9113), mapped onto the same request model.
    case http2

    public var description: String {
        switch self {
        case .http10: return "HTTP/1.0"
        case .http11: return "HTTP/1.1"
        case .http2: return "HTTP/2"
        }
    }
}

public enum TargetForm: String, Sendable, Equatable {
    case origin, absolute, authority, asterisk
}

public enum BodyFraming: Sendable, Equatable, CustomStringConvertible {
    /// No Content-Length and no Transfer-Encoding: the body is empty (RFC 9112 §6.3 rule 7).
    case none
    case contentLength(Int)
    case chunked

    public var description: String {
        switch self {
        case .none: return "none"
        case .contentLength(let length): return "content-length \(length)"
        case .chunked: return "chunked"
        }
    }
}

/// One field line. `value` excludes the OWS around it.
public struct FieldLine: Sendable, Equatable {
    public var name: Range<Int>
    public var value: Range<Int>
    public var known: KnownField

    public init(name: Range<Int>, value: Range<Int>, known: KnownField) {
        self.name = name
        self.value = value
        self.known = known
    }

    /// Offset of the first byte of the line.
    public var lineStart: Int { name.lowerBound }
}

/// Field names the parser itself acts on.
public enum KnownField: UInt8, Sendable {
    case other
    case host
    case contentLength
    case transferEncoding
    case connection
    case expect
    case upgrade
    case trailer
    /// `Content_Length` / `Transfer_Encoding`: gateways that map '-' and '_' alike (CGI, WSGI)
    /// would read these as framing fields.
    case framingLookalike

    public static func classify(_ name: UnsafeRawBufferPointer) -> KnownField {
        switch name.count {
        case 4: return ASCII.equalsLowercase(name, "host") ? .host : .other
        case 6: return ASCII.equalsLowercase(name, "expect") ? .expect : .other
        case 7:
            if ASCII.equalsLowercase(name, "upgrade") { return .upgrade }
            return ASCII.equalsLowercase(name, "trailer") ? .trailer : .other
        case 10: return ASCII.equalsLowercase(name, "connection") ? .connection : .other
        case 14:
            if ASCII.equalsLowercase(name, "content-length") { return .contentLength }
            return ASCII.equalsLowercase(name, "content_length") ? .framingLookalike : .other
        case 17:
            if ASCII.equalsLowercase(name, "transfer-encoding") { return .transferEncoding }
            return ASCII.equalsLowercase(name, "transfer_encoding") ? .framingLookalike : .other
        default: return .other
        }
    }
}

public enum HTTPMethod: String, Sendable, CaseIterable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", delete = "DELETE"
    case connect = "CONNECT", options = "OPTIONS", trace = "TRACE", patch = "PATCH"
    /// Any other token: methods are extensible (RFC 9110 §9.1); the application decides.
    case other = ""

    /// Methods are case-sensitive (RFC 9110 §9.1): "get" is a different, unknown method.
    public static func classify(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        func equals(_ literal: StaticString) -> Bool {
            guard bytes.count == literal.utf8CodeUnitCount else { return false }
            let expected = literal.utf8Start
            for index in 0..<bytes.count where bytes[index] != expected[index] { return false }
            return true
        }
        switch bytes.count {
        case 3: return equals("GET") ? .get : equals("PUT") ? .put : .other
        case 4: return equals("POST") ? .post : equals("HEAD") ? .head : .other
        case 5: return equals("TRACE") ? .trace : equals("PATCH") ? .patch : .other
        case 6: return equals("DELETE") ? .delete : .other
        case 7: return equals("OPTIONS") ? .options : equals("CONNECT") ? .connect : .other
        default: return .other
        }
    }
}
