import HTTPWire
import XCTest
@testable import Hammer

final class FuzzMutatorTests: XCTestCase {
    static let post = FuzzSeed(id: "POST", input: FuzzInput(bytes: Array(
        "POST /a HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\nabc".utf8)))
    static let get = FuzzSeed(id: "GET", input: FuzzInput(bytes: Array("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".utf8)))

    func testTheSameSeedGivesTheSameCases() {
        let one = FuzzGenerator(seeds: [Self.post, Self.get], runSeed: 42)
        let two = FuzzGenerator(seeds: [Self.post, Self.get], runSeed: 42)
        let other = FuzzGenerator(seeds: [Self.post, Self.get], runSeed: 43)
        let first = (0..<300).map(one.generate)
        XCTAssertEqual(first, (0..<300).map(two.generate))
        XCTAssertEqual(first.reversed(), (0..<300).reversed().map(two.generate), "a case depends on its index only, not on order")
        XCTAssertNotEqual(first.map(\.input), (0..<300).map(other.generate).map(\.input))
        XCTAssertEqual(first[0].input, Self.post.input, "the seeds come first, unchanged")
        XCTAssertEqual(first[1].mutationPath, "seed")
        XCTAssertTrue(first[2...].allSatisfy { !$0.mutations.isEmpty })
    }

    func testEveryMutatorAppliesAndChangesTheInput() {
        let context = MutationContext(seeds: [Self.get.input])
        for mutator in Mutators.all {
            var applied = 0
            for seed in 0..<50 {
                var random = SeededRandom(seed: UInt64(seed))
                var input = Self.post.input
                if mutator.name == "stream.merge-writes" { input.setCuts([10, 40]) }
                if mutator.apply(to: &input, random: &random, context: context) {
                    applied += 1
                    XCTAssertNotEqual(input, Self.post.input, mutator.name)
                }
            }
            XCTAssertGreaterThan(applied, 0, "\(mutator.name) never applied to a pipelined chunked stream")
        }
    }

    func testMutatorsThatNeedStructureLeaveOtherInputsAlone() {
        var random = SeededRandom(seed: 1)
        var input = FuzzInput(bytes: Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let before = input
        for name in ["chunk.size", "chunk.extension", "chunk.terminator", "chunk.last", "stream.rechunk", "stream.drop"] {
            XCTAssertFalse(Mutators.named(name)!.apply(to: &input, random: &random, context: MutationContext(seeds: [])), name)
            XCTAssertEqual(input, before, name)
        }
    }

    func testFramingObfuscationsAreInsertedAsFieldLines() {
        let insert = Mutators.named("header.insert-transfer-encoding")!
        var seen = Set<String>()
        for seed in 0..<200 {
            var random = SeededRandom(seed: UInt64(seed))
            var input = Self.get.input
            XCTAssertTrue(insert.apply(to: &input, random: &random, context: MutationContext(seeds: [])))
            let text = String(decoding: input.bytes, as: UTF8.self)
            XCTAssertTrue(text.hasPrefix("GET / HTTP/1.1\r\n"), "the request line stays first: \(text)")
            seen.insert(text)
        }
        XCTAssertGreaterThan(seen.count, 20, "many obfuscations are drawn")
    }

    func testCutsFollowTheirBytesAndNeverSplitTheHostPlaceholder() {
        var input = FuzzInput(bytes: Array("abcdef".utf8), cuts: [2, 4])
        input.insert(Array("XY".utf8), at: 1)
        XCTAssertEqual(input.cuts, [4, 6])
        input.replace(3..<5, with: [])
        XCTAssertEqual(input.cuts, [4], "the cut inside the removed range goes with it, the later one moves left")
        XCTAssertEqual(input.segments.map { String(decoding: $0, as: UTF8.self) }, ["aXYd", "ef"])

        let host = FuzzInput(bytes: Array("Host: {host}\r\n".utf8), cuts: [9])
        XCTAssertEqual(host.cuts, [12], "a cut inside {host} moves behind it")
        XCTAssertEqual(host.filledSegments(authority: "127.0.0.1:80").map { String(decoding: $0, as: UTF8.self) },
                       ["Host: 127.0.0.1:80", "\r\n"])
    }

    func testChunkLayoutFindsSizesDataAndTheLastChunk() {
        let chunks = ChunkLayout(Self.post.input.bytes).chunks
        XCTAssertEqual(chunks.count, 2)
        XCTAssertEqual(String(decoding: Self.post.input.bytes[chunks[0].data], as: UTF8.self), "hello")
        XCTAssertTrue(chunks[1].isLast)
        XCTAssertEqual(StreamLayout(Self.post.input.bytes).messages.count, 2, "the strict parser finds both requests")
    }
}
