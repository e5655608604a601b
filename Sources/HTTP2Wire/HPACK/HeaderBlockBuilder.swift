/// Writes any HPACK representation, invalid ones included, for the harness and the tests: indexes
/// out of range, integers longer than a decoder accepts, size updates anywhere, Huffman strings with
/// bad padding or EOS inside, lengths that disagree with the bytes. It keeps no table and checks
/// nothing; `HPACKEncoder` is the one that produces valid blocks.
public struct HeaderBlockBuilder: Sendable {
    public enum Literal: Sendable {
        case incrementalIndexing
        case withoutIndexing
        case neverIndexed

        var flags: UInt8 {
            switch self {
            case .incrementalIndexing: return 0x40
            case .withoutIndexing: return 0x00
            case .neverIndexed: return 0x10
            }
        }

        var prefixBits: Int { self == .incrementalIndexing ? 6 : 4 }
    }

    /// A string literal as it goes on the wire (§5.2).
    public enum StringForm: Sendable, ExpressibleByStringLiteral {
        /// H = 0, the bytes as they are.
        case raw([UInt8])
        /// H = 1, the bytes correctly Huffman-coded and padded.
        case huffman([UInt8])
        /// H = 1: the codes of `symbols` (0...255, or 256 for EOS), then `padding` (a string of
        /// "0" and "1") verbatim, then ones up to the next byte boundary.
        case huffmanCodes(symbols: [Int], padding: String)
        /// H = 1, an arbitrary bit string ("0"/"1", spaces ignored), filled with ones to a byte boundary.
        case huffmanBits(String)
        /// Any H flag and declared length in front of any payload, e.g. a length past the block's end.
        case declared(huffman: Bool, length: Int, payload: [UInt8])

        public init(stringLiteral value: String) { self = .raw(Array(value.utf8)) }
    }

    public enum Name: Sendable, ExpressibleByStringLiteral {
        case index(Int)
        case literal(StringForm)

        public init(stringLiteral value: String) { self = .literal(.raw(Array(value.utf8))) }
    }

    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// §6.1 indexed field, any index (0 and past the tables included).
    public mutating func indexed(_ index: Int) {
        HPACKInteger.encode(index, prefixBits: 7, flags: 0x80, into: &bytes)
    }

    /// §6.2 literal field with an indexed (`.index`, 0 included) or literal name.
    public mutating func literal(_ kind: Literal, name: Name, value: StringForm) {
        switch name {
        case .index(let index):
            HPACKInteger.encode(index, prefixBits: kind.prefixBits, flags: kind.flags, into: &bytes)
        case .literal(let form):
            bytes.append(kind.flags)
            string(form)
        }
        string(value)
    }

    /// §6.3 dynamic table size update, wherever it is called.
    public mutating func sizeUpdate(_ maxSize: Int) {
        HPACKInteger.encode(maxSize, prefixBits: 5, flags: 0x20, into: &bytes)
    }

    /// A prefix of all ones followed by `continuationBytes` continuation bytes, the last without its
    /// continuation flag: longer than a decoder needs to accept (§5.1).
    public mutating func oversizedInteger(flags: UInt8, prefixBits: Int, continuationBytes: Int, payload: UInt8 = 0x7f) {
        bytes.append(flags | UInt8((1 << prefixBits) - 1))
        for position in 0..<continuationBytes {
            bytes.append(position == continuationBytes - 1 ? payload & 0x7f : payload | 0x80)
        }
    }

    /// Any integer with its prefix, as §5.1 writes it.
    public mutating func integer(_ value: Int, prefixBits: Int, flags: UInt8) {
        HPACKInteger.encode(value, prefixBits: prefixBits, flags: flags, into: &bytes)
    }

    public mutating func string(_ form: StringForm) {
        switch form {
        case .raw(let payload):
            HPACKInteger.encode(payload.count, prefixBits: 7, flags: 0x00, into: &bytes)
            bytes += payload
        case .huffman(let payload):
            var coded: [UInt8] = []
            payload.withUnsafeBytes { HuffmanCode.encode($0, into: &coded) }
            HPACKInteger.encode(coded.count, prefixBits: 7, flags: 0x80, into: &bytes)
            bytes += coded
        case .huffmanCodes(let symbols, let padding):
            var bits = ""
            for symbol in symbols {
                let length = Int(HuffmanCode.lengths[symbol])
                let code = String(HuffmanCode.codes[symbol], radix: 2)
                bits += String(repeating: "0", count: length - code.count) + code
            }
            let coded = Self.pack(bits + padding)
            HPACKInteger.encode(coded.count, prefixBits: 7, flags: 0x80, into: &bytes)
            bytes += coded
        case .huffmanBits(let bits):
            let coded = Self.pack(bits)
            HPACKInteger.encode(coded.count, prefixBits: 7, flags: 0x80, into: &bytes)
            bytes += coded
        case .declared(let huffman, let length, let payload):
            HPACKInteger.encode(length, prefixBits: 7, flags: huffman ? 0x80 : 0x00, into: &bytes)
            bytes += payload
        }
    }

    /// Bytes appended as they are.
    public mutating func raw(_ more: [UInt8]) { bytes += more }

    /// MSB first; the last byte filled with ones, as EOS padding would be.
    static func pack(_ bits: String) -> [UInt8] {
        var out: [UInt8] = []
        var current: UInt8 = 0
        var used = 0
        for character in bits where character == "0" || character == "1" {
            current = current << 1 | (character == "1" ? 1 : 0)
            used += 1
            if used == 8 {
                out.append(current)
                current = 0
                used = 0
            }
        }
        if used > 0 { out.append(current << UInt8(8 - used) | UInt8((1 << (8 - used)) - 1)) }
        return out
    }
}
