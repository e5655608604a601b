import HTTP2Wire

/// Changes to the field blocks of HEADERS and CONTINUATION frames, written with HTTP2Wire's
/// HeaderBlockBuilder, which writes invalid representations on purpose (RFC 7541 §5, §6; RFC 9113 §8.2).
/// The frame's length field is kept true, so the change is to the block, not to the framing.
enum H2HPACKMutators {
    /// A field block in the stream: its frame and the fragment's range.
    static func block(_ input: FuzzInput, _ random: inout SeededRandom) -> (H2FrameLayout.Frame, Range<Int>)? {
        let blocks = H2FrameLayout(input.bytes).frames.compactMap { frame in
            H2FrameLayout.fieldBlock(of: frame, in: input.bytes).map { (frame, $0) }
        }
        return blocks.isEmpty ? nil : random.pick(blocks)
    }

    /// Adds the representation at the start or the end of a field block.
    static func add(_ representation: [UInt8], _ input: inout FuzzInput, _ random: inout SeededRandom, atStart: Bool? = nil) -> Bool {
        guard let (frame, fragment) = block(input, &random) else { return false }
        let start = atStart ?? random.chance(percent: 30)
        let at = start ? fragment.lowerBound : fragment.upperBound
        H2FrameLayout.replacePayload(at..<at, of: frame, with: representation, in: &input)
        return true
    }

    static func build(_ body: (inout HeaderBlockBuilder) -> Void) -> [UInt8] {
        var builder = HeaderBlockBuilder()
        body(&builder)
        return builder.bytes
    }

    static let all: [Mutator] = [
        Mutator("h2.hpack.index", weight: 2) { input, random, _ in
            // Index 0, one past the static table with an empty dynamic table, far out of range (§2.3.3, §6.1).
            let index = random.pick([0, 62, 63, 70, 4096, 1 << 20])
            return add(build { $0.indexed(index) }, &input, &random)
        },
        Mutator("h2.hpack.huffman", weight: 2) { input, random, _ in
            // A Huffman value with EOS inside, padding longer than 7 bits, or padding of zeros (§5.2).
            let bits = random.pick(["11111111111111111111111111111111", "00111 11111111 11111111", "00111 0000", "1010"])
            return add(build { $0.literal(.withoutIndexing, name: "x-fuzz", value: .huffmanBits(bits)) }, &input, &random)
        },
        Mutator("h2.hpack.integer", weight: 2) { input, random, _ in
            // An integer longer than any decoder needs to accept, in an index or a string length (§5.1).
            let bytes = build { builder in
                if random.chance(percent: 50) {
                    builder.oversizedInteger(flags: 0x80, prefixBits: 7, continuationBytes: random.pick([5, 10, 20]))
                } else {
                    builder.raw([0x00])
                    builder.oversizedInteger(flags: 0x00, prefixBits: 7, continuationBytes: random.pick([4, 6, 12]))
                }
            }
            return add(bytes, &input, &random)
        },
        Mutator("h2.hpack.size-update", weight: 2) { input, random, _ in
            // A dynamic table size update beyond SETTINGS_HEADER_TABLE_SIZE, or after a field (§4.2, §6.3).
            let size = random.pick([0, 4096, 4097, 65_536, 1 << 30])
            return add(build { $0.sizeUpdate(size) }, &input, &random, atStart: random.chance(percent: 50))
        },
        Mutator("h2.hpack.string-length", weight: 2) { input, random, _ in
            // A string whose declared length runs past the end of the block.
            let declared = random.pick([5, 100, 0x7F, 4096])
            return add(build { $0.literal(.withoutIndexing, name: "x-fuzz", value: .declared(huffman: random.chance(percent: 30), length: declared,
                                                                                               payload: Array("ab".utf8))) },
                       &input, &random, atStart: false)
        },
        Mutator("h2.hpack.field", weight: 3) { input, random, _ in
            // A field a request must not carry (RFC 9113 §8.2, §8.3): uppercase, connection-specific,
            // a pseudo-header after a regular one or twice, CR/LF/NUL in a value, an empty name.
            let fields: [(String, [UInt8])] = [
                ("X-Upper", Array("v".utf8)), ("connection", Array("keep-alive".utf8)), ("transfer-encoding", Array("chunked".utf8)),
                (":path", Array("/x".utf8)), (":method", Array("GET".utf8)), (":status", Array("200".utf8)), ("te", Array("gzip".utf8)),
                ("x-crlf", [0x61, 0x0D, 0x0A, 0x62]), ("x-nul", [0x61, 0x00]), ("", Array("v".utf8)), ("x-sp ace", Array("v".utf8)),
                ("content-length", Array(random.pick(["0", "1", "-1", "5, 5", "abc"]).utf8)), ("host", Array("other.test".utf8)),
            ]
            let (name, value) = random.pick(fields)
            return add(build { $0.literal(.withoutIndexing, name: .literal(.raw(Array(name.utf8))), value: .raw(value)) }, &input, &random)
        },
        Mutator("h2.hpack.truncate") { input, random, _ in
            // The block ends inside a representation.
            guard let (frame, fragment) = block(input, &random), fragment.count >= 2 else { return false }
            let keep = 1 + random.below(fragment.count - 1)
            H2FrameLayout.replacePayload((fragment.lowerBound + keep)..<fragment.upperBound, of: frame, with: [], in: &input)
            return true
        },
        Mutator("h2.hpack.byte", weight: 2) { input, random, _ in
            guard let (frame, fragment) = block(input, &random), !fragment.isEmpty else { return false }
            let at = fragment.lowerBound + random.below(fragment.count)
            H2FrameLayout.replacePayload(at..<(at + 1), of: frame, with: [UInt8(random.below(256))], in: &input)
            return true
        },
    ]
}
