import CathammerContract
import FakeServers
import Foundation
import Hammer
import HTTPWire
import XCTest

/// Each discrepancy class, committed on purpose by a small fake front in front of the real
/// recording origin, and found by the chain runner (issue 17, item 3). A front that forwards
/// faithfully shows none.
final class ChainDiscrepancyTests: XCTestCase {
    nonisolated(unsafe) static var origin: RecordingOrigin?

    override class func setUp() {
        origin = try? RecordingOrigin(executable: CathammerBinary.url.path)
    }

    override class func tearDown() {
        origin?.stop()
        origin = nil
    }

    static func chainCase(_ id: String, category: String = "positive", send: String, pass: String) throws -> CorpusCase {
        let yaml = """
            id: \(id)
            title: 'chain test case'
            category: \(category)
            level: MUST
            rfc: RFC 9112 §6.3
            quote: 'a test quote that MUST be here'
            why: a chain test case
            steps:
              - send: '\(send)'
            expect:
              pass: ["\(pass)"]
            """
        return try CorpusCase.load(path: "corpus/\(category)/\(id).yaml", text: yaml)
    }

    static let get = "GET /echo HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"
    static let clte = "POST /echo HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: 6\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nG"
    static let bareCR = "GET /echo HTTP/1.1\\r\\nHost: {host}\\r\\nX-A: a\\rX-Injected: yes\\r\\n\\r\\n"
    static let chunkedPost = "POST /echo HTTP/1.1\\r\\nHost: {host}\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n"

    func run(_ testCase: CorpusCase, through front: FakeFront) throws -> ChainCaseResult {
        let origin = try XCTUnwrap(Self.origin, "the recording origin did not start")
        let runner = ChainRunner(runner: CaseRunner(endpoint: .loopback(front.port), timeout: 4, quiet: 0.6),
                                 originControlPort: origin.controlPort)
        return runner.run(testCase, index: 0)
    }

    func testFaithfulFrontShowsNoDiscrepancy() throws {
        let front = try FakeFront.passthrough(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-GET", send: Self.get, pass: "200"), through: front)
        XCTAssertEqual(result.discrepancies, [], result.result.notes.joined(separator: "\n"))
        XCTAssertEqual(result.result.verdict, .pass)
        XCTAssertEqual(result.window?.fence, .seen)
        XCTAssertEqual(result.window?.requests.map(\.view.target), ["/echo"])
    }

    func testForwardedInvalid() throws {
        let front = try FakeFront.passthrough(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-CLTE", category: "desync", send: Self.clte, pass: "400 close"), through: front)
        XCTAssertEqual(result.failingClasses, [.forwardedInvalid], result.result.notes.joined(separator: "\n"))
        XCTAssertTrue(result.discrepancies.contains { $0.detail.contains("te-with-content-length") && $0.basis == "RFC 9112 §6.3" })
        // The client saw the origin's 400 and a close: only the back hop shows the problem.
        XCTAssertEqual(result.clientVerdict, .pass)
        XCTAssertEqual(result.result.verdict, .fail)
    }

    func testRequestCount() throws {
        let front = try FakeFront.contentLengthOverTransferEncoding(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-CLTE", category: "desync", send: Self.clte, pass: "400 close"), through: front)
        XCTAssertEqual(result.failingClasses, [.requestCount], result.result.notes.joined(separator: "\n"))
        // The "G" left on the pooled origin connection prefixed the fence request.
        XCTAssertEqual(result.window?.fence, .poisoned(prefix: 1, connection: result.window?.connections.first?.id ?? -1))
        XCTAssertEqual(result.result.verdict, .fail)
    }

    func testInjectedField() throws {
        let front = try FakeFront.bareCRSplitsLines(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-BARE-CR", category: "field-syntax", send: Self.bareCR, pass: "400 close"), through: front)
        XCTAssertEqual(result.failingClasses, [.injectedField], result.result.notes.joined(separator: "\n"))
        XCTAssertTrue(result.discrepancies.contains { $0.kind == .injectedField && $0.detail.contains("X-Injected") })
    }

    func testFraming() throws {
        let front = try FakeFront.reframesOneByteShort(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-CHUNKED", send: Self.chunkedPost, pass: "200"), through: front)
        XCTAssertEqual(result.failingClasses, [.framing], result.result.notes.joined(separator: "\n"))
        XCTAssertTrue(result.discrepancies.contains { $0.kind == .framing && $0.detail.contains("body of 5 byte(s)") && $0.detail.contains("received 4") })
    }

    func testNormalizationIsInformationOnly() throws {
        let front = try FakeFront.addsVia(originPort: try XCTUnwrap(Self.origin).port)
        defer { front.stop() }
        let result = try run(try Self.chainCase("CHAIN-GET", send: Self.get, pass: "200"), through: front)
        XCTAssertEqual(result.failingClasses, [], result.result.notes.joined(separator: "\n"))
        XCTAssertTrue(result.discrepancies.contains { $0.kind == .normalization && $0.detail.contains("added via") })
        XCTAssertEqual(result.result.verdict, .pass)
    }
}

/// `fuzz --front`'s engine: a seed through a fake CL.TE front is a request-count finding, minimized
/// with its class kept, written as a chain corpus case that loads and reproduces.
final class ChainFuzzTests: XCTestCase {
    func testFindingIsMinimizedWrittenAndReproduces() throws {
        let origin = try RecordingOrigin(executable: CathammerBinary.url.path)
        defer { origin.stop() }
        let front = try FakeFront.contentLengthOverTransferEncoding(originPort: origin.port)
        defer { front.stop() }
        var runner = ChainRunner(runner: CaseRunner(endpoint: .loopback(front.port), timeout: 2, quiet: 0.25),
                                 originControlPort: origin.controlPort)
        runner.fenceTimeout = 2
        // Padding the minimizer can drop: an extra field line and body bytes the smuggled prefix does not need.
        let seed = FuzzSeed(id: "CHAIN-SEED", input: FuzzInput(bytes: Array(
            "POST /echo HTTP/1.1\r\nHost: {host}\r\nX-Padding: aaaaaaaa\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG".utf8)))
        let fuzz = ChainFuzz(generator: FuzzGenerator(seeds: [seed], runSeed: 7), runner: runner,
                             settings: FuzzSettings(seed: 7, duration: 60, maxCases: 1, minimizeBudget: 2, idPrefix: "CHAIN-FAKE"))
        fuzz.skipsSeeds = false
        let summary = fuzz.run()
        let finding = try XCTUnwrap(summary.findings.first)
        XCTAssertTrue(finding.classes.contains(.requestCount), "\(finding.classes)")
        XCTAssertLessThan(finding.minimized.bytes.count, seed.input.bytes.count)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chainfuzz-\(UUID().uuidString)/chain").path
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let path = try ChainFindingWriter.write(finding, folder: folder, front: "fake CL.TE", frontCommand: "fake {port} {origin}", runSeed: 7)
        let written = try CorpusCase.load(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(written.category, "chain")
        let replay = runner.run(written, index: 99)
        XCTAssertTrue(replay.failingClasses.contains(.requestCount), replay.result.notes.joined(separator: "\n"))
        let shell = try String(contentsOfFile: (path as NSString).deletingPathExtension + ".sh", encoding: .utf8)
        XCTAssertTrue(shell.contains("cathammer run chain --front 'fake {port} {origin}'") && shell.contains("--case \(finding.id)"))

        try checkReports(summary, finding: finding, yamlPath: path, folder: folder)
    }

    /// Every field of the chain fuzz reports, from the run above.
    func checkReports(_ summary: ChainFuzzSummary, finding: ChainFinding, yamlPath: String, folder: String) throws {
        let reproducer = ChainFindingWriter.reproducer(id: finding.id, folder: folder, frontCommand: "fake {port} {origin}")
        let report = ChainFuzzReport(summary: summary, front: "fake CL.TE", frontCommand: "fake {port} {origin}", origin: "recording origin at 127.0.0.1:1",
                                     seed: 7, version: "test", files: [finding.id: yamlPath], reproducers: [finding.id: reproducer])
        let out = URL(fileURLWithPath: (folder as NSString).deletingLastPathComponent).appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)

        let jsonURL = out.appendingPathComponent("report.json")
        try report.encoded().write(to: jsonURL)
        XCTAssertNil(try JSONSchemaValidator.problems(document: jsonURL, schema: JSONSchemaValidator.schema("report.schema.json")))
        let envelope = try CathammerBinary.json(String(contentsOf: jsonURL, encoding: .utf8))
        XCTAssertEqual(envelope["kind"] as? String, "chain-fuzz")
        XCTAssertEqual(envelope["target"] as? String, "fake CL.TE")
        XCTAssertNotNil(envelope["started"] as? String)
        let body = try XCTUnwrap(envelope["chain_fuzz"] as? [String: Any])
        XCTAssertEqual(body["front"] as? String, "fake CL.TE")
        XCTAssertEqual(body["front_command"] as? String, "fake {port} {origin}")
        XCTAssertEqual(body["origin"] as? String, "recording origin at 127.0.0.1:1")
        XCTAssertEqual(body["seed"] as? Int, 7)
        XCTAssertEqual(body["cases"] as? Int, 1)
        XCTAssertEqual(body["executions"] as? Int, summary.executions)
        XCTAssertGreaterThan(try XCTUnwrap(body["executions_per_second"] as? Double), 0)
        XCTAssertNotNil(body["duration_seconds"] as? Double)
        XCTAssertEqual((body["cases_by_class"] as? [String: Int])?["request-count"], 1)
        XCTAssertEqual((body["cases_by_class"] as? [String: Int])?["upgrade-h2c"], 0)
        XCTAssertNil((body["cases_by_class"] as? [String: Int])?["normalization"], "information only, never a finding")
        XCTAssertEqual((body["findings_by_class"] as? [String: Int])?["request-count"], 1)
        let entries = try XCTUnwrap(body["findings"] as? [[String: Any]])
        XCTAssertEqual(entries.count, 1)
        let entry = entries[0]
        XCTAssertEqual(entry["id"] as? String, finding.id)
        XCTAssertEqual(entry["classes"] as? [String], finding.classes.map(\.rawValue))
        XCTAssertEqual(entry["signature"] as? String, finding.signature)
        let discrepancies = try XCTUnwrap(entry["discrepancies"] as? [[String: Any]])
        XCTAssertTrue(discrepancies.contains { $0["class"] as? String == "request-count" && ($0["basis"] as? String)?.isEmpty == false
            && ($0["detail"] as? String)?.isEmpty == false }, "\(discrepancies)")
        XCTAssertEqual(entry["seed_case"] as? String, "CHAIN-SEED")
        XCTAssertEqual(entry["mutation_path"] as? String, finding.generated.mutationPath)
        XCTAssertEqual(entry["case_index"] as? Int, finding.generated.index)
        XCTAssertNotNil(entry["found_after_seconds"] as? Double)
        XCTAssertEqual(entry["minimization_tests"] as? Int, finding.minimizationTests)
        XCTAssertEqual(entry["minimized"] as? [String], finding.minimized.segments.map(ByteEscapes.encode))
        XCTAssertEqual((entry["minimized_base64"] as? String).flatMap { Data(base64Encoded: $0) }, Data(finding.minimized.bytes))
        XCTAssertEqual(entry["original"] as? [String], finding.generated.input.segments.map(ByteEscapes.encode))
        XCTAssertEqual(entry["client_observed"] as? String, finding.result.result.observed?.description ?? "nothing")
        XCTAssertEqual((entry["client_response_base64"] as? String).flatMap { Data(base64Encoded: $0) }, Data(finding.result.result.received))
        let origin = try XCTUnwrap(entry["origin"] as? [String: Any])
        XCTAssertEqual(origin["fence"] as? String, try XCTUnwrap(finding.result.window).fence.text)
        let connections = try XCTUnwrap(origin["connections"] as? [[String: Any]])
        XCTAssertTrue(connections.contains { ($0["bytes_excerpt"] as? String)?.contains("POST /echo") == true }, "\(connections)")
        XCTAssertEqual(entry["reproducer"] as? String, reproducer)
        XCTAssertEqual(entry["file"] as? String, yamlPath)

        let markdown = report.renderMarkdown()
        XCTAssertTrue(markdown.contains("# cathammer chain fuzzing through fake CL.TE"), markdown)
        XCTAssertTrue(markdown.contains("| request-count | 1 | 1 |") && markdown.contains("| upgrade-h2c | 0 | 0 |"), markdown)
        XCTAssertTrue(markdown.contains("| \(finding.id) | request-count") && markdown.contains("seed 7"), markdown)

        let junit = report.renderJUnit()
        let names = junit.matches(of: #/<testcase [^>]*name="([^"]+)"/#).map { String($0.1) }
        XCTAssertEqual(names, DiscrepancyClass.allCases.filter { !$0.informational }.map(\.rawValue), junit)
        let failures = junit.matches(of: #/<failure message="([^"]*)" type="([^"]+)">([^<]*)</failure>/#)
        XCTAssertEqual(failures.map { String($0.2) }, ["request-count"], junit)
        XCTAssertTrue(failures.first.map { $0.1.contains(finding.id) && $0.3.contains("reproduce: ") && $0.3.contains("--case \(finding.id)") } == true, junit)
        XCTAssertTrue(junit.contains("<testsuites name=\"cathammer chain fuzz\" tests=\"7\" failures=\"1\" errors=\"0\">"), junit)
        XCTAssertTrue(junit.contains("<property name=\"seed\" value=\"7\"/>"), junit)

        let html = report.renderHTML()
        XCTAssertTrue(html.contains("client sent") && html.contains("front's responses"), html)
        XCTAssertTrue(html.contains("origin received") && html.contains(finding.id) && html.contains("connection #"), html)

        let sarifURL = out.appendingPathComponent("report.sarif")
        try ChainFuzzSARIF.log(report, findingsFolder: folder, workingDirectory: "/").encoded().write(to: sarifURL)
        XCTAssertNil(try JSONSchemaValidator.problems(document: sarifURL, schema: JSONSchemaValidator.schema("sarif-schema-2.1.0.json")))
        let sarifRun = try XCTUnwrap((try CathammerBinary.json(String(contentsOf: sarifURL, encoding: .utf8))["runs"] as? [[String: Any]])?.first)
        let results = try XCTUnwrap(sarifRun["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, finding.classes.count)
        let result = try XCTUnwrap(results.first { $0["ruleId"] as? String == "chain-fuzz/request-count" })
        XCTAssertEqual(result["level"] as? String, "error")
        let properties = try XCTUnwrap(result["properties"] as? [String: Any])
        XCTAssertEqual(properties["reproducer"] as? String, reproducer)
        XCTAssertEqual(properties["class"] as? String, "request-count")
        XCTAssertNotNil(properties["originBytes"] as? [String])
        XCTAssertNotNil(properties["clientBytesBase64"] as? String)
        XCTAssertEqual(properties["request"] as? [String], finding.minimized.segments.map(ByteEscapes.encode))
        let location = ((result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any]
        XCTAssertTrue((location?["uri"] as? String)?.hasSuffix("\(finding.id).yaml") == true, "\(String(describing: location))")
    }
}
