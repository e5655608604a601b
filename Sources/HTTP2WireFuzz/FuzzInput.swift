/// How the fuzzer reads an input: the low two bits of the first byte choose what the rest is, so one
/// corpus covers whole connections and bare HPACK blocks (where mutations reach the decoder directly
/// instead of breaking the framing around it).
enum FuzzInput {
    /// A client's bytes (preface, frames), read as a server reads requests.
    case requests([UInt8])
    /// A server's bytes (frames), read as a client reads responses.
    case responses([UInt8])
    /// A sequence of header blocks, each a 2-byte big-endian length and that many bytes, decoded in
    /// turn by one decoder whose table holds `tableSize` octets (4096, or 256 as in RFC 7541 C.5/C.6).
    case headerBlocks([[UInt8]], tableSize: Int)

    init(_ bytes: [UInt8]) {
        guard let selector = bytes.first else {
            self = .requests([])
            return
        }
        let rest = Array(bytes.dropFirst())
        switch selector & 3 {
        case 0: self = .requests(rest)
        case 1: self = .responses(rest)
        default: self = .headerBlocks(Self.blocks(rest), tableSize: selector & 3 == 2 ? 4096 : 256)
        }
    }

    /// Length-prefixed blocks; a last length longer than what is left takes what is left.
    static func blocks(_ bytes: [UInt8]) -> [[UInt8]] {
        var blocks: [[UInt8]] = []
        var position = 0
        while position + 2 <= bytes.count {
            let length = Int(bytes[position]) << 8 | Int(bytes[position + 1])
            position += 2
            let end = min(position + length, bytes.count)
            blocks.append(Array(bytes[position..<end]))
            position = end
        }
        return blocks
    }

    /// The selector byte and the length-prefixed encoding of `blocks`, for writing seeds.
    static func encode(blocks: [[UInt8]], tableSize: Int) -> [UInt8] {
        var out: [UInt8] = [tableSize == 256 ? 3 : 2]
        for block in blocks { out += [UInt8(block.count >> 8), UInt8(block.count & 0xff)] + block }
        return out
    }
}
