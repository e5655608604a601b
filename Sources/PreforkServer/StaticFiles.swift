@preconcurrency import Glibc
import HTTPWire

/// `--static-map /static=DIR`: files under DIR served with sendfile. A path that could leave DIR is
/// refused: `..` or `.` segments (also percent-encoded), encoded slashes or backslashes, NUL, and
/// symlinks whose target lies outside DIR.
final class StaticFiles {
    let mappings: [StaticMapping]

    init(mappings: [StaticMapping]) { self.mappings = mappings }
}

/// One `--static-map PREFIX=DIR`.
public struct StaticMapping: Equatable, Sendable {
    /// URL prefix without a trailing slash, e.g. "/static".
    public var prefix: String
    /// The directory, resolved (realpath) when parsed.
    public var directory: String

    /// Parses `PREFIX=DIR` and resolves DIR.
    public static func parse(_ text: String) -> Result<StaticMapping, ServerConfigurationError> {
        guard let equals = text.firstIndex(of: "="), text.hasPrefix("/") else {
            return .failure(.init("--static-map '\(text)' is not /PREFIX=DIR"))
        }
        var prefix = String(text[..<equals])
        while prefix.count > 1 && prefix.hasSuffix("/") { prefix.removeLast() }
        let directory = String(text[text.index(after: equals)...])
        guard let resolved = realpath(directory, nil) else {
            return .failure(.init("--static-map '\(text)': directory '\(directory)' does not exist"))
        }
        defer { free(resolved) }
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            return .failure(.init("--static-map '\(text)': '\(directory)' is not a directory"))
        }
        return .success(StaticMapping(prefix: prefix, directory: String(cString: resolved)))
    }
}

extension StaticFiles {

    /// The response for a request under a mapped prefix, or nil when no mapping covers its path.
    func response(for request: RequestView) -> Response? {
        let path = String(decoding: request.path, as: UTF8.self)
        guard let mapping = mappings.first(where: { path == $0.prefix || path.hasPrefix($0.prefix == "/" ? "/" : $0.prefix + "/") })
        else { return nil }
        let method = request.knownMethod
        guard method == .get || method == .head else {
            var response = Response.text(405, "method not allowed\n")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        let relative = String(path.dropFirst(mapping.prefix == "/" ? 1 : mapping.prefix.count + 1))
        guard let segments = Self.safeSegments(relative) else { return .text(403, "forbidden path\n") }
        guard !segments.isEmpty else { return .text(404, "not found\n") }
        let candidate = mapping.directory + "/" + segments.joined(separator: "/")
        guard let resolvedPointer = realpath(candidate, nil) else { return .text(404, "not found\n") }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        guard resolved.hasPrefix(mapping.directory + "/") else { return .text(403, "forbidden path\n") }
        let fd = open(resolved, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .text(errno == EACCES ? 403 : 404, "not found\n") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .text(404, "not found\n")
        }
        let modified = info.st_mtim.tv_sec
        var headers: [(name: String, value: String)] = [("Last-Modified", Self.httpDate(modified))]
        if let since = request.fields.firstValue(named: "if-modified-since").flatMap(Self.parseHTTPDate), modified <= since {
            close(fd)
            return Response(status: 304, headers: headers)
        }
        headers.insert(("Content-Type", Self.contentType(for: resolved)), at: 0)
        var response = Response(status: 200, headers: headers)
        response.file = FileBody(fd: fd, length: Int(info.st_size))
        return response
    }

    /// Percent-decodes and splits the path; nil when any segment could climb or hide a separator.
    static func safeSegments(_ relative: String) -> [String]? {
        var segments: [String] = []
        for raw in relative.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = percentDecoded(raw) else { return nil }
            if decoded == "." || decoded == ".." || decoded.contains("/") || decoded.contains("\\")
                || decoded.contains("\0")
            {
                return nil
            }
            segments.append(decoded)
        }
        return segments
    }

    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "htm": "text/html; charset=utf-8", "css": "text/css",
        "js": "text/javascript", "json": "application/json", "txt": "text/plain; charset=utf-8",
        "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "svg": "image/svg+xml",
        "ico": "image/x-icon", "webp": "image/webp", "pdf": "application/pdf", "xml": "application/xml",
        "wasm": "application/wasm", "woff2": "font/woff2",
    ]

    static func contentType(for path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "application/octet-stream" }
        return contentTypes[path[path.index(after: dot)...].lowercased()] ?? "application/octet-stream"
    }

    static func httpDate(_ seconds: time_t) -> String {
        var date = HTTPDate()
        date.refresh(now: seconds)
        return String(decoding: date.line.dropFirst(6).dropLast(2), as: UTF8.self)
    }

    /// IMF-fixdate only ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7); other forms are ignored,
    /// as the RFC allows for a conditional request.
    static func parseHTTPDate(_ text: String) -> time_t? {
        let bytes = Array(text.utf8)
        guard bytes.count == 29, bytes[3] == UInt8(ascii: ","), text.hasSuffix(" GMT") else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: bytes[range], as: UTF8.self)) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(decoding: bytes[8..<11], as: UTF8.self)),
              let day = number(5..<7), let year = number(12..<16), let hour = number(17..<19),
              let minute = number(20..<22), let second = number(23..<25)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return timegm(&parts)
    }
}
