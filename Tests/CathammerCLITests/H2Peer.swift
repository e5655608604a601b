import Foundation
import XCTest

/// Runs Tests/H2Peer/h2peer.py, the hand-driven HTTP/2 client (python-hpack), and reads the one JSON
/// line it prints about what the server answered.
final class H2Peer {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("H2Peer/h2peer.py").path

    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    /// Starts `h2peer.py PORT ARGUMENTS...`; `result()` waits for it.
    init(port: UInt16, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, String(port)] + arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// The JSON it printed, once it exited (every scenario is bounded in time).
    func result(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: out) as? [String: Any]
        else {
            XCTFail("h2peer.py \(process.arguments!.dropFirst(2).joined(separator: " ")) exited \(process.terminationStatus): "
                    + String(decoding: out + err, as: UTF8.self), file: file, line: line)
            return [:]
        }
        return object
    }

    static func run(port: UInt16, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try H2Peer(port: port, arguments).result(file: file, line: line)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// Final statuses by stream (interim ones are under "interim").
    func statuses() -> [String: Int] { (self["statuses"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int } }
    func resets() -> [String: String] { self["resets"] as? [String: String] ?? [:] }
    func goAwayCode() -> String? { (self["goaway"] as? [String: Any])?["code"] as? String }
    func body(_ stream: Int) -> String { (self["bodies"] as? [String: String])?[String(stream)] ?? "" }
}
