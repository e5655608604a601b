import FakeServers
import Foundation
import HTTPWire
import XCTest
@testable import Hammer

/// The whole loop against small servers that differ from a strict one in one known way.
final class FuzzRunTests: XCTestCase {
    static let corpusFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("corpus").path

    /// Seeds from the valid cases only: the fuzzer has to make the bug-triggering bytes itself.
    func positiveSeeds() throws -> [FuzzSeed] {
        let (corpus, problems) = Corpus.load(directory: Self.corpusFolder)
        XCTAssertEqual(problems, [])
        let seeds = corpus.selecting(categories: ["positive"], ids: [], levels: []).map(FuzzSeed.init)
        XCTAssertGreaterThan(seeds.count, 10)
        return seeds
    }

    func fuzz(_ server: FakeHTTPServer, seeds: [FuzzSeed], seed: UInt64, cases: Int) -> FuzzSummary {
        let executor = FuzzExecutor(endpoint: .loopback(server.port), timeout: 5, quiet: 1)
        let run = FuzzRun(generator: FuzzGenerator(seeds: seeds, runSeed: seed), executor: executor,
                          health: TargetHealth(endpoint: .loopback(server.port), rootPID: nil),
                          settings: FuzzSettings(seed: seed, duration: 600, maxCases: cases, jobs: 2, minimizeBudget: 300))
        return run.run()
    }

    /// The minimized bytes, sent again, still show the finding.
    func assertStillTriggers(_ finding: Finding, on server: FakeHTTPServer, file: StaticString = #filePath, line: UInt = #line) {
        let executor = FuzzExecutor(endpoint: .loopback(server.port), timeout: 5, quiet: 1)
        let expectation = Oracle.expect(finding.minimized.filled(authority: executor.authority))
        let observation = executor.execute(finding.minimized, expectation: expectation)
        XCTAssertTrue(finding.signature.matches(FindingClassifier.classify(expectation, observation)),
                      "\(finding.signature) no longer shows with \(ByteEscapes.encode(finding.minimized.bytes))", file: file, line: line)
        XCTAssertLessThan(finding.minimized.bytes.count, finding.generated.input.bytes.count, "minimized", file: file, line: line)
    }

    func testFindsAServerThatAcceptsSpaceBeforeTheColon() throws {
        let server = try FakeHTTPServer.spaceBeforeColon()
        defer { server.stop() }
        let summary = fuzz(server, seeds: try positiveSeeds(), seed: 7, cases: 1500)
        let finding = try XCTUnwrap(summary.findings.first { $0.classification.reason == "whitespace-before-colon" },
                                    "found within 1500 cases: \(summary.findings.map(\.signature))")
        XCTAssertEqual(finding.findingClass, .lenient)
        XCTAssertFalse(finding.generated.mutations.isEmpty, "made by mutation, not taken from a seed")
        let text = String(decoding: finding.minimized.bytes, as: UTF8.self)
        XCTAssertTrue(text.contains(" :") || text.contains("\t:"), text)
        assertStillTriggers(finding, on: server)
        XCTAssertTrue(summary.findings.allSatisfy { $0.classification.reason == "whitespace-before-colon" },
                      "nothing else differs: \(summary.findings.map(\.signature))")
    }

    func testFindsAServerThatFramesCLTEByContentLength() throws {
        let server = try FakeHTTPServer.contentLengthOverTransferEncoding()
        defer { server.stop() }
        let summary = fuzz(server, seeds: try positiveSeeds(), seed: 7, cases: 3000)
        let lenient = try XCTUnwrap(summary.findings.first { $0.classification.reason == "te-with-content-length" },
                                    "found within 3000 cases: \(summary.findings.map(\.signature))")
        let text = String(decoding: lenient.minimized.bytes, as: UTF8.self).lowercased()
        XCTAssertTrue(text.contains("content-length") && text.contains("transfer-encoding"), text)
        assertStillTriggers(lenient, on: server)
        for finding in summary.findings { assertStillTriggers(finding, on: server) }
        // The smuggling shape: a second request answered behind the one a strict server refuses.
        let desync = try XCTUnwrap(summary.findings.first { $0.findingClass == .desync },
                                   "a desync within 3000 cases: \(summary.findings.map(\.signature))")
        XCTAssertEqual(desync.classification.detail, "smuggled-request")
        XCTAssertEqual(desync.observation.statuses, [200, 200])
        XCTAssertTrue(summary.findings.allSatisfy { $0.classification.reason == "te-with-content-length" },
                      "nothing else differs: \(summary.findings.map(\.signature))")
    }

    func testAFixedSeedFindsTheSameFindingsTwice() throws {
        let server = try FakeHTTPServer.contentLengthOverTransferEncoding()
        defer { server.stop() }
        let seeds = try positiveSeeds()
        let first = fuzz(server, seeds: seeds, seed: 3, cases: 800)
        let second = fuzz(server, seeds: seeds, seed: 3, cases: 800)
        XCTAssertFalse(first.findings.isEmpty)
        XCTAssertEqual(first.findings.map(\.id), second.findings.map(\.id))
        XCTAssertEqual(first.findings.map(\.minimized), second.findings.map(\.minimized))
        XCTAssertEqual(first.findings.map(\.generated.index), second.findings.map(\.generated.index))
    }

    func testFindingsAreCorpusCasesWithAReproducer() throws {
        let server = try FakeHTTPServer.spaceBeforeColon()
        defer { server.stop() }
        let seeds = [FuzzSeed(id: "WS", input: FuzzInput(bytes: Array("GET / HTTP/1.1\r\nHost : {host}\r\nX-Pad: 1\r\n\r\n".utf8)))]
        let summary = fuzz(server, seeds: seeds, seed: 1, cases: 1)
        let finding = try XCTUnwrap(summary.findings.first)
        let minimized = String(decoding: finding.minimized.bytes, as: UTF8.self)
        XCTAssertTrue(minimized.contains(" HTTP/1.1\r\nHost :") && !minimized.contains("X-Pad"),
                      "minimal: the Host line is needed (its absence is another refusal), X-Pad is not: \(minimized)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-findings-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try FindingWriter.write(finding, folder: folder.appendingPathComponent("fake").path, targetName: "fake",
                                              runSeed: 1, endpoint: .loopback(server.port))
        let (loaded, problems) = Corpus.load(directory: folder.path)
        XCTAssertEqual(problems, [])
        let testCase = try XCTUnwrap(loaded.cases.first)
        XCTAssertEqual(testCase.id, finding.id)
        XCTAssertEqual(testCase.category, "fake")
        XCTAssertEqual(testCase.level, "MUST")
        XCTAssertEqual(testCase.rfc, "RFC 9112 §5.1")
        XCTAssertEqual(testCase.steps, [.send(finding.minimized.bytes, bytewise: false), .halfClose])
        XCTAssertEqual(testCase.pass.map(\.description), ["400 close"])

        // The reproducer sends the same bytes to the server over bash's /dev/tcp and dumps its answer.
        let script = try String(contentsOfFile: written.reproducerPath, encoding: .utf8)
        XCTAssertTrue(script.hasPrefix("#!/bin/bash\n") && script.contains("PORT=${PORT:-\(server.port)}") && !script.contains("nc "), script)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "bash '\(written.reproducerPath)' | xxd -r"]
        let output = Pipe()
        shell.standardOutput = output
        try shell.run()
        let produced = output.fileHandleForReading.readDataToEndOfFile()
        shell.waitUntilExit()
        // The finding again: the fake answers 200 where a strict server refuses with 400.
        XCTAssertTrue(String(decoding: produced, as: UTF8.self).hasPrefix("HTTP/1.1 200"), String(decoding: produced, as: UTF8.self))
    }
}
