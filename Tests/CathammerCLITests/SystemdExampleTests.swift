import Foundation
import Glibc
import XCTest

/// examples/systemd/ cannot rot: systemd's own checker accepts the units, and the server runs as
/// the units say (socket-activated with the ListenStream= socket, ExecStart='s flags, ExecReload='s
/// and KillSignal='s signals), on an ephemeral port instead of the example's.
final class SystemdExampleTests: XCTestCase {
    private static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/systemd")

    /// Every `Key=value` of a unit file, in order (comments and sections left out).
    private func settings(_ file: String) throws -> [(key: String, value: String)] {
        let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    func testSystemdAnalyzeVerifiesTheUnits() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-units-\(getpid())")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for file in ["cathammer.socket", "cathammer.service"] {
            // ExecStart= must name an executable that exists: the one under test instead of the installed one.
            let text = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
                .replacingOccurrences(of: "/usr/bin/cathammer", with: CathammerBinary.url.path)
            try Data(text.utf8).write(to: scratch.appendingPathComponent(file))
        }
        let result = try CathammerBinary.runTool("/usr/bin/systemd-analyze", ["verify", "cathammer.socket", "cathammer.service"],
                                                 capture: true, directory: scratch)
        XCTAssertEqual(result.status, 0, result.output)
        // verify only warns (exit 0) about a setting it cannot parse: any output is a finding.
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "", result.output)
    }

    func testTheServiceRunsSocketActivatedAsTheUnitsSay() throws {
        let socketUnit = try settings("cathammer.socket")
        let serviceUnit = try settings("cathammer.service")
        let streams = socketUnit.filter { $0.key == "ListenStream" }.map(\.value)
        XCTAssertEqual(streams, ["127.0.0.1:8000"])
        XCTAssertEqual(serviceUnit.first { $0.key == "Type" }?.value, "notify")
        XCTAssertEqual(serviceUnit.first { $0.key == "ExecReload" }?.value, "/bin/kill -HUP $MAINPID")
        XCTAssertEqual(serviceUnit.first { $0.key == "KillSignal" }?.value, "SIGTERM")
        XCTAssertEqual(serviceUnit.first { $0.key == "KillMode" }?.value, "mixed", "SIGTERM to the master alone: it stops the workers")
        let command = try XCTUnwrap(serviceUnit.first { $0.key == "ExecStart" }?.value).split(separator: " ").map(String.init)
        XCTAssertEqual(Array(command.prefix(2)), ["/usr/bin/cathammer", "serve"])
        var arguments = Array(command.dropFirst(2))
        let httpValues = arguments.indices.filter { arguments[$0] == "--http" }.map { arguments[$0 + 1] }
        XCTAssertEqual(httpValues, streams, "the --http flags name the sockets of the socket unit")

        let listener = try PassedListener()
        for index in arguments.indices where streams.contains(arguments[index]) { arguments[index] = "127.0.0.1:\(listener.port)" }
        if let stats = arguments.firstIndex(of: "--stats") { arguments[stats + 1] = "127.0.0.1:0" }
        let workers = try XCTUnwrap(arguments.firstIndex(of: "--processes").map { arguments[$0 + 1] })
        let notify = try FakeNotifySocket(abstract: true)
        let name = try XCTUnwrap(socketUnit.first { $0.key == "FileDescriptorName" }?.value)
        let server = try ActivatedServer(listener: listener, arguments: arguments,
                                         environment: ["NOTIFY_SOCKET": notify.variable, "LISTEN_FDNAMES": name])
        let ready = notify.expect("READY")
        XCTAssertEqual(ready?.fields["STATUS"], "generation 1: \(workers) workers ready on http://127.0.0.1:\(listener.port)",
                       server.errorText)
        XCTAssertEqual(try RawClient.exchange(port: listener.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])
        server.signal(SIGHUP)
        XCTAssertNotNil(notify.expect("RELOADING"))
        XCTAssertEqual(notify.expect("READY")?.fields["STATUS"], "generation 2: \(workers) workers ready on http://127.0.0.1:\(listener.port)")
        server.signal(SIGTERM)
        XCTAssertNotNil(notify.expect("STOPPING"))
        XCTAssertEqual(server.waitForExit(), 0, server.errorText)
    }
}
