import ArgumentParser
import Foundation
import HTTP2Wire
import HTTPWire

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse raw bytes as requests (or responses) with the strict parser and print what it found.",
        discussion: """
            With --protocol h2 the bytes are one direction of an HTTP/2 connection: a client's (the
            preface, then frames) or, with --response, a server's; every frame, decoded field block,
            request or response and violation is printed.
            Exit status: 0 the whole stream is valid, 1 a request was rejected (h2: any violation), 3 the
            stream ends inside a request (or response; h2: inside a frame or before a stream's
            END_STREAM), 2 usage or input errors.
            """
    )

    @Argument(help: "File with the raw bytes; '-' or nothing reads standard input.")
    var file: String?

    @Flag(help: "The input is text with \\r \\n \\t \\0 \\\\ \\xNN escapes (as in corpus files).")
    var escaped = false

    @Flag(help: "Print a short human-readable form instead of JSON.")
    var human = false

    @Flag(help: "Print JSON (the default).")
    var json = false

    @Option(name: .customLong("protocol"), help: "h1 (HTTP/1.1 messages) or h2 (HTTP/2 frames).")
    var wireProtocol = ParseProtocol.h1

    @Flag(help: "Parse a response stream instead of requests.")
    var response = false

    @Option(name: .customLong("request-method"), parsing: .upToNextOption,
            help: "With --response: the methods of the requests the responses answer, in order (HEAD has no body).")
    var requestMethods: [String] = []

    func run() throws {
        if human && json { throw UsageError(message: "--human and --json exclude each other") }
        if !requestMethods.isEmpty && !response { throw UsageError(message: "--request-method needs --response") }
        let bytes = try readInput()
        let report: any ParseReport = if wireProtocol == .h2 {
            HTTP2ParseReport(bytes: bytes, response: response, requestMethods: requestMethods)
        } else if response {
            ResponseParseReport(bytes: bytes, requestMethods: requestMethods)
        } else {
            RequestParseReport(bytes: bytes)
        }
        try emit(report, human: report.humanText)
        throw ExitCode(report.exitCode)
    }

    private func readInput() throws -> [UInt8] {
        let data: Data
        if let file, file != "-" {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw UsageError(message: "cannot read file '\(file)'")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        guard escaped else { return Array(data) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw UsageError(message: "--escaped input is not UTF-8 text")
        }
        do {
            // A trailing newline from an editor or `echo` is not part of the escaped bytes.
            return try ByteEscapes.decode(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        } catch {
            throw UsageError(message: "--escaped: \(error)")
        }
    }

    private func emit(_ report: some Encodable, human text: String) throws {
        if human {
            print(text, terminator: "")
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}

/// `parse --protocol`: which wire format the bytes are in.
enum ParseProtocol: String, CaseIterable, ExpressibleByArgument {
    case h1, h2
}
