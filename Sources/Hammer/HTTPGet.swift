import HTTPWire

/// One well-formed GET over the harness transport, its response framed by the wire parser: for
/// small control fetches such as the stats endpoint, a canary or a health probe (the libcurl leg is
/// for traffic that is the point of a test).
public enum HTTPGet {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public static func fetch(_ endpoint: Endpoint, path: String, timeout: Double = 5) throws(Failure) -> ResponseMessage {
        let connection: ClientConnection
        do {
            connection = try ClientConnection(to: endpoint, timeout: timeout)
        } catch {
            throw Failure(description: error.description)
        }
        defer { connection.close() }
        connection.send(Array("GET \(path) HTTP/1.1\r\nHost: \(endpoint.authority)\r\nConnection: close\r\n\r\n".utf8))
        let reply = connection.readUntilClosed(idleTimeout: timeout)
        var parser = ResponseStreamParser(requestMethods: ["GET"])
        parser.feed(reply.bytes)
        parser.finish()
        guard let response = parser.responses.first(where: { !$0.isInterim }), response.complete else {
            throw Failure(description: "no complete response from \(endpoint.scheme)://\(endpoint.authority)\(path) (\(reply.bytes.count) bytes, \(reply.ending.rawValue))")
        }
        return response
    }

    /// A cleartext fetch (a stats endpoint, a server on loopback).
    public static func fetch(host: String, port: UInt16, path: String, timeout: Double = 5) throws(Failure) -> ResponseMessage {
        try fetch(Endpoint(host: host, port: port), path: path, timeout: timeout)
    }
}
