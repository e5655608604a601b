import HTTPWire

/// One well-formed GET over a raw socket, its response framed by the wire parser: for small control
/// fetches such as the stats endpoint (the libcurl leg is for traffic that is the point of a test).
public enum HTTPGet {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func fetch(host: String, port: UInt16, path: String, timeout: Double = 5) throws(Failure) -> ResponseMessage {
        let client: RawSocketClient
        do {
            client = try RawSocketClient(host: host, port: port, timeout: timeout)
        } catch {
            throw Failure(description: error.description)
        }
        defer { client.close() }
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        client.send(Array("GET \(path) HTTP/1.1\r\nHost: \(authority)\r\nConnection: close\r\n\r\n".utf8))
        let reply = client.readUntilClosed(idleTimeout: timeout)
        var parser = ResponseStreamParser(requestMethods: ["GET"])
        parser.feed(reply.bytes)
        parser.finish()
        guard let response = parser.responses.first(where: { !$0.isInterim }), response.complete else {
            throw Failure(description: "no complete response from \(authority)\(path) (\(reply.bytes.count) bytes, \(reply.ending.rawValue))")
        }
        return response
    }
}
