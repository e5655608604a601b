import CathammerContract
import FakeServers
import Foundation
import Hammer
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
        let text = ChainFuzzSummaryText.markdown(summary, front: "fake CL.TE", command: "fake {port} {origin}", seed: 7)
        XCTAssertTrue(text.contains(finding.id) && text.contains("| request-count | 1 |"), text)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chainfuzz-\(UUID().uuidString)/chain").path
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let path = try ChainFindingWriter.write(finding, folder: folder, front: "fake CL.TE", frontCommand: "fake {port} {origin}", runSeed: 7)
        let written = try CorpusCase.load(path: path, text: try String(contentsOfFile: path, encoding: .utf8))
        XCTAssertEqual(written.category, "chain")
        let replay = runner.run(written, index: 99)
        XCTAssertTrue(replay.failingClasses.contains(.requestCount), replay.result.notes.joined(separator: "\n"))
        let shell = try String(contentsOfFile: (path as NSString).deletingPathExtension + ".sh", encoding: .utf8)
        XCTAssertTrue(shell.contains("cathammer run chain --front 'fake {port} {origin}'") && shell.contains("--case \(finding.id)"))
    }
}
