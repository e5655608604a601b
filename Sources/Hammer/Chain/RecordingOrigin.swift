import CathammerContract
import Foundation
@preconcurrency import Glibc

/// The reference server started as the chain's recording origin (`serve --app record`), on a free
/// loopback port, with its record store on a second one; stopped (by pid) afterwards.
public final class RecordingOrigin {
    public let port: UInt16
    public let controlPort: UInt16
    private let spawned: SpawnedTarget

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The command line, `{port}` still to fill: one worker, HTTP/1.1 only (the back hop of a chain).
    public static func command(executable: String, controlPort: UInt16) -> String {
        "'\(executable)' serve --app record --http 127.0.0.1:{port} --record-control 127.0.0.1:\(controlPort) -p 1 --http2 off"
    }

    public init(executable: String, timeout: Double = 30) throws {
        let control = try SpawnedTarget.freePort()
        controlPort = control
        spawned = try SpawnedTarget(command: Self.command(executable: executable, controlPort: control), timeout: timeout)
        port = spawned.port
        // The worker opens the control listener itself, after the master's listener accepts.
        let deadline = Date().addingTimeInterval(timeout)
        while (try? sequence()) == nil {
            guard Date() < deadline, spawned.isRunning else {
                spawned.stop()
                throw Failure(description: "the recording origin's control endpoint 127.0.0.1:\(control) did not answer")
            }
            usleep(50_000)
        }
    }

    public var endpoint: Endpoint { .loopback(port) }
    /// `127.0.0.1:PORT`, what a front's configuration names as its upstream (`{origin}`).
    public var address: String { "127.0.0.1:\(port)" }
    public var isRunning: Bool { spawned.isRunning }

    /// The last event number the store handed out.
    public func sequence() throws -> Int {
        let response = try HTTPGet.fetch(host: "127.0.0.1", port: controlPort, path: "/sequence", timeout: 5)
        struct Body: Decodable { var sequence: Int }
        guard response.status == 200, let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)) else {
            throw Failure(description: "the record control endpoint answered \(response.status) to /sequence")
        }
        return body.sequence
    }

    /// Every connection with an event after `since`.
    public func records(since: Int) throws -> OriginRecord {
        let response = try HTTPGet.fetch(host: "127.0.0.1", port: controlPort, path: "/records?since=\(since)", timeout: 5)
        guard response.status == 200, let record = try? OriginRecord(json: response.body) else {
            throw Failure(description: "the record control endpoint answered \(response.status) to /records")
        }
        return record
    }

    public func stop() { spawned.stop() }
}
