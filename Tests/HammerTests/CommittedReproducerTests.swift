import Foundation
import Hammer
import HTTPWire
import XCTest

/// Every committed `fuzz/findings/<target>/<ID>.sh` is what the finding writers write for its YAML:
/// the writes of its `send` steps (for HTTP/2 after the opening and before the probe PING), aimed at
/// the server the finding was made on. `CATHAMMER_REWRITE_REPRODUCERS=1 swift test --filter
/// CommittedReproducerTests` rewrites them (and the YAML's `# reproduce:` comment) through the same
/// code path instead, after the writers change.
final class CommittedReproducerTests: XCTestCase {
    static let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/findings")

    struct Committed {
        var yamlPath: String
        var yamlText: String
        var testCase: CorpusCase
        var endpoint: Endpoint
        var signature: String
        var target: String
    }

    /// What a finding's YAML says about where it was found: `# reproduce: bash ID.sh (written for
    /// HOST:PORT; …)`. (The one-off rewrite from nc reproducers read `… | nc HOST ${PORT:-N}` here.)
    static func committed(_ path: String) throws -> Committed {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count > 2, lines[0].hasPrefix("# cathammer fuzz finding ("), lines[0].hasSuffix(")"),
              lines[1].hasPrefix("# reproduce: ") else { throw Malformed(path: path, what: "the two comment lines") }
        let signature = String(lines[0].dropFirst("# cathammer fuzz finding (".count).dropLast())
        guard let match = lines[1].firstMatch(of: #/written for ([^;]+):(\d+);/#), let port = UInt16(match.2) else {
            throw Malformed(path: path, what: "the server in `# reproduce:`")
        }
        let endpoint = Endpoint(host: String(match.1), port: port)
        let testCase = try CorpusCase.load(path: path, text: text)
        guard let target = testCase.why.firstMatch(of: #/against (.+?): /#)?.1 else { throw Malformed(path: path, what: "the target in `why`") }
        return Committed(yamlPath: path, yamlText: text, testCase: testCase, endpoint: endpoint, signature: signature, target: String(target))
    }

    struct Malformed: Error, CustomStringConvertible {
        var path: String
        var what: String
        var description: String { "\(path): cannot read \(what)" }
    }

    /// The writes as the fuzzer made them, placeholders filled with the run's authority.
    static func writes(_ committed: Committed) -> [[UInt8]] {
        let testCase = committed.testCase
        if testCase.wireProtocol == .h2, let script = testCase.h2 {
            let sends = script.steps.compactMap { step -> [UInt8]? in
                guard case .write(let write) = step else { return nil }
                let raw = write.parts.compactMap { part -> [UInt8]? in
                    if case .raw(let bytes) = part { return bytes }
                    return nil
                }
                return raw.count == write.parts.count ? raw.flatMap { $0 } : nil
            }
            return H2FindingWriter.writes(FuzzInput(segments: sends).filledSegments(authority: committed.endpoint.authority))
        }
        let sends = testCase.steps.compactMap { step -> [UInt8]? in
            if case .send(let bytes, _) = step { return bytes }
            return nil
        }
        return FuzzInput(segments: sends).filledSegments(authority: committed.endpoint.authority)
    }

    func testEveryCommittedReproducerIsWhatTheWriterWrites() throws {
        let rewrite = ProcessInfo.processInfo.environment["CATHAMMER_REWRITE_REPRODUCERS"] == "1"
        let manager = FileManager.default
        var checked = 0
        for folder in try manager.contentsOfDirectory(atPath: Self.findings.path).sorted() {
            let folderPath = Self.findings.appendingPathComponent(folder).path
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: folderPath, isDirectory: &isFolder), isFolder.boolValue else { continue }
            for name in try manager.contentsOfDirectory(atPath: folderPath).sorted() where name.hasSuffix(".yaml") {
                let committed = try Self.committed((folderPath as NSString).appendingPathComponent(name))
                let id = committed.testCase.id
                let script = ReproducerScript.file(comment: "\(committed.signature) against \(committed.target)",
                                                   writes: Self.writes(committed), endpoint: committed.endpoint)
                let shellPath = (folderPath as NSString).appendingPathComponent("\(id).sh")
                var yamlLines = committed.yamlText.components(separatedBy: "\n")
                yamlLines[1] = "# reproduce: " + ReproducerScript.invocation(id: id, endpoint: committed.endpoint)
                if rewrite {
                    try Data(script.utf8).write(to: URL(fileURLWithPath: shellPath))
                    chmod(shellPath, 0o755)
                    try Data(yamlLines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: committed.yamlPath))
                } else {
                    XCTAssertEqual(try String(contentsOfFile: shellPath, encoding: .utf8), script, "\(shellPath): rewrite it (see the class comment)")
                    XCTAssertEqual(committed.yamlText, yamlLines.joined(separator: "\n"), "\(committed.yamlPath): its `# reproduce:` line")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100, "the committed findings under \(Self.findings.path)")
    }

    /// Every byte survives printf's format, in the script's own shell.
    func testTheReproducerEscapesEveryByteForPrintf() throws {
        let bytes: [UInt8] = Array(0...255)
        let format = ReproducerScript.printfFormat(bytes)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "printf '\(format)'"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let produced = output.fileHandleForReading.readDataToEndOfFile()
        shell.waitUntilExit()
        XCTAssertEqual(Array(produced), bytes)
    }

    /// Writes 0.1 s apart on one /dev/tcp connection, the answer read meanwhile, HOST and PORT taken
    /// from the environment with the run's server as the default.
    func testTheScriptWritesEachSegmentAndAimsWhereTold() {
        let body = ReproducerScript.body(writes: [Array("GET / HT".utf8), Array("TP/1.1\r\n\r\n".utf8)], endpoint: Endpoint(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(body, """
            # HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).
            HOST=${HOST:-127.0.0.1}
            PORT=${PORT:-8080}
            # A server that closes early makes a later write fail; the answer is still read.
            trap '' PIPE
            exec 3<>"/dev/tcp/$HOST/$PORT" || exit 1
            timeout 2.1 cat <&3 | xxd &
            printf 'GET / HT' >&3
            sleep 0.1
            printf 'TP/1.1\\r\\n\\r\\n' >&3
            wait

            """)
        XCTAssertFalse(body.contains("nc "))
    }
}
