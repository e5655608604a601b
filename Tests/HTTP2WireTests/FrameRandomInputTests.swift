import SeededGenerator
import XCTest
@testable import HTTP2Wire

/// Seeded random frame soups: the parser must never trap on peer input, and must give the same events
/// for every chunking of it. A stand-in until the libFuzzer target exists.
final class FrameRandomInputTests: XCTestCase {
    /// Frames of every type with random flags, streams (reserved bit included), small payloads and
    /// sometimes a length field that lies, so that most paths of the parser run, errors included.
    static func soup(_ generator: inout SplitMix64, frames: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        let types: [UInt8] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 0xfa]
        for _ in 0..<frames {
            let type = types[Int(generator.next() % UInt64(types.count))]
            let flags = UInt8(truncatingIfNeeded: generator.next()) & (generator.next() % 2 == 0 ? 0x2d : 0xff)
            var stream = UInt32(generator.next() % 4)
            if generator.next() % 10 == 0 { stream |= 0x8000_0000 }
            let fixed: [Int] = [0, 4, 5, 6, 8, 12]
            let count = generator.next() % 3 == 0 ? fixed[Int(generator.next() % UInt64(fixed.count))] : Int(generator.next() % 24)
            var payload = (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next() % 5) }
            if type == 4 { payload = [0, UInt8(generator.next() % 10), 0, 0, 0, UInt8(truncatingIfNeeded: generator.next())] }
            let lie = generator.next() % 25 == 0 ? UInt32(generator.next() % 40) : nil
            bytes += FrameBytes.raw(type, flags: flags, stream: stream, payload, length: lie)
        }
        return bytes
    }

    func testRandomFrameSoupsAreSplitInvariantAndNeverTrap() {
        var generator = SplitMix64(seed: 0xdecaf)
        var outcomes: [String: Int] = [:]
        for round in 0..<400 {
            let role: HTTP2Role = round % 2 == 0 ? .server : .client
            let start = role == .server ? FrameBytes.clientStart : FrameBytes.settings()
            let bytes = start + Self.soup(&generator, frames: Int(generator.next() % 12) + 1)
            let configuration = HTTP2FrameParserConfiguration(role: role, maxHeaderBlockBytes: 64, maxContinuationFrames: 3)
            let whole = FrameRecorder.record(bytes, configuration: configuration)
            let last = whole.last ?? ""
            outcomes[last.hasPrefix("CONNECTION-ERROR") ? String(last.split(separator: " ")[2]) : "no connection error", default: 0] += 1
            for _ in 0..<3 {
                let cuts = (0..<Int(generator.next() % 6 + 1)).map { _ in Int(generator.next() % UInt64(bytes.count + 1)) }.sorted()
                let bounds = [0] + cuts + [bytes.count]
                let pieces = zip(bounds, bounds.dropFirst()).map { $0..<$1 }
                XCTAssertEqual(FrameRecorder.record(bytes, configuration: configuration, pieces: pieces), whole, "round \(round) cuts \(cuts)")
            }
            if round < 60 {
                XCTAssertEqual(FrameRecorder.record(bytes, configuration: configuration, pieces: bytes.indices.map { $0..<($0 + 1) }),
                               whole, "round \(round) byte by byte")
            }
        }
        // The soup must reach many different rules, or it tests little.
        XCTAssertGreaterThan(outcomes.count, 10, "\(outcomes)")
    }

    func testRandomBytesNeverTrap() {
        var generator = SplitMix64(seed: 0xbadc0de)
        for round in 0..<300 {
            let junk = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let prefix = round % 3 == 0 ? FrameBytes.clientStart : []
            for role in [HTTP2Role.server, .client] {
                let events = FrameRecorder.record(prefix + junk, configuration: .init(role: role),
                                                  pieces: [0..<(prefix.count + junk.count) / 2, (prefix.count + junk.count) / 2..<(prefix.count + junk.count)])
                XCTAssertEqual(events, FrameRecorder.record(prefix + junk, configuration: .init(role: role)))
            }
        }
    }
}
