import Foundation
import Hammer
import HTTPWire
import XCTest

/// A committed reproducer (`fuzz/findings/<target>/<ID>.sh`, bash's /dev/tcp, no nc) aimed with
/// PORT at the reference server started on an ephemeral port gets the answer its YAML expects:
/// one HTTP/1.1 finding (two writes) and one HTTP/2 finding.
final class FindingReproducerTests: XCTestCase {
    static let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/findings")

    /// The answer bytes: the script's hex dump read back (`xxd -r`, then as plain hex for the pipe).
    func answer(_ script: String, port: UInt16) throws -> [UInt8] {
        let path = Self.findings.appendingPathComponent(script).path
        let result = try CathammerBinary.runTool("/bin/bash", ["-c", "bash '\(path)' 2>/dev/null | xxd -r | xxd -p"], capture: true,
                                                 environment: ["PORT": String(port), "HOST": "127.0.0.1", "PATH": "/usr/bin:/bin"])
        XCTAssertEqual(result.status, 0, result.output)
        let hex = Array(result.output.filter(\.isHexDigit).utf8)
        return stride(from: 0, to: hex.count - 1, by: 2).compactMap { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }

    func testHTTP1FindingGetsTheExpectedAnswer() throws {
        let yaml = try String(contentsOf: Self.findings.appendingPathComponent("nginx/FUZZ-NGINX-DESYNC-067F9B03FF.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("pass: ['400 close']"), yaml)
        let server = try ServerProcess()
        let text = String(decoding: try withExtendedLifetime(server) { try answer("nginx/FUZZ-NGINX-DESYNC-067F9B03FF.sh", port: server.port) },
                          as: UTF8.self)
        // One answer, 400, and the connection closed: nothing after the refusal was read as a request.
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 400 "), text)
        XCTAssertEqual(text.components(separatedBy: "HTTP/1.1 ").count - 1, 1, text)
        XCTAssertTrue(text.lowercased().contains("connection: close"), text)
    }

    func testHTTP2FindingGetsTheExpectedAnswer() throws {
        let yaml = try String(contentsOf: Self.findings.appendingPathComponent("h2-nginx/FUZZ-H2-NGINX-LENIENT-06D087EB39.yaml"), encoding: .utf8)
        XCTAssertTrue(yaml.contains("pass: ['GOAWAY PROTOCOL_ERROR', 'RST_STREAM PROTOCOL_ERROR']"), yaml)
        let server = try ServerProcess()
        let bytes = try withExtendedLifetime(server) { try answer("h2-nginx/FUZZ-H2-NGINX-LENIENT-06D087EB39.sh", port: server.port) }
        // The frames the server sent: (type, stream, first four payload bytes).
        var frames: [(type: UInt8, stream: UInt32, payload: [UInt8])] = []
        var offset = 0
        while offset + 9 <= bytes.count {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            let stream = bytes[offset + 5..<offset + 9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            let end = min(bytes.count, offset + 9 + length)
            frames.append((bytes[offset + 3], stream, Array(bytes[offset + 9..<end])))
            offset = end
        }
        XCTAssertEqual(offset, bytes.count, "whole frames: \(bytes)")
        XCTAssertEqual(frames.first?.type, 0x4, "the server's SETTINGS first")
        // RST_STREAM (0x3) on stream 1 or GOAWAY (0x7) with PROTOCOL_ERROR (1), and no response HEADERS.
        let protocolError: [UInt8] = [0, 0, 0, 1]
        XCTAssertTrue(frames.contains { ($0.type == 0x3 && $0.stream == 1 && $0.payload == protocolError)
            || ($0.type == 0x7 && $0.payload.count >= 8 && Array($0.payload[4..<8]) == protocolError) }, "\(frames)")
        XCTAssertFalse(frames.contains { $0.type == 0x1 && $0.stream == 1 }, "\(frames)")
    }

    /// HOST and PORT override the server the script was written for (here an address nobody answers on).
    func testHostAndPortAimTheScriptElsewhere() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("reproducer-\(UUID().uuidString).sh")
        defer { try? FileManager.default.removeItem(at: work) }
        let script = ReproducerScript.file(comment: "a plain GET", writes: [Array("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)],
                                           endpoint: Endpoint(host: "192.0.2.1", port: 9))
        try Data(script.utf8).write(to: work)
        let server = try ServerProcess()
        let result = try withExtendedLifetime(server) {
            try CathammerBinary.runTool("/bin/bash", ["-c", "bash '\(work.path)' 2>&1 | xxd -r"], capture: true,
                                        environment: ["HOST": "127.0.0.1", "PORT": String(server.port), "PATH": "/usr/bin:/bin"])
        }
        XCTAssertTrue(result.output.hasPrefix("HTTP/1.1 200 "), result.output)
    }
}
