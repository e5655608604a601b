/// Decodes Huffman strings (RFC 7541 §5.2) four bits at a time.
///
/// States are the 256 internal nodes of the code tree. For each state and nibble a precomputed
/// entry gives the next state and the symbol completed on the way, if any: no code is shorter than
/// 5 bits, so a nibble completes at most one symbol. The table is built once from `HuffmanCode`.
enum HuffmanDecoder {
    /// Entry layout: bits 0-7 next state, bits 8-15 symbol, bit 16 "emits", bit 17 "decoded EOS".
    private static let emits: UInt32 = 1 << 16
    private static let failsEOS: UInt32 = 1 << 17

    /// What ending in a state means (§5.2): a clean end, or which padding rule is broken.
    enum Ending: UInt8 { case accepted, paddingTooLong, paddingNotEOS }

    struct Tables {
        let transitions: UnsafePointer<UInt32>
        let endings: UnsafePointer<Ending>
    }

    nonisolated(unsafe) static let tables: Tables = build()

    private static func build() -> Tables {
        // Tree: children of internal node n at child[2n] (bit 0) and child[2n+1] (bit 1);
        // a leaf is stored as -(symbol + 1).
        var child = [Int](repeating: 0, count: 2 * 256)
        var depth = [Int](repeating: 0, count: 256)
        var allOnes = [Bool](repeating: false, count: 256)
        allOnes[0] = true
        var nodes = 1
        for symbol in 0...HuffmanCode.eos {
            let length = Int(HuffmanCode.lengths[symbol])
            let code = HuffmanCode.codes[symbol]
            var node = 0
            for bitIndex in stride(from: length - 1, through: 0, by: -1) {
                let bit = Int((code >> UInt32(bitIndex)) & 1)
                if bitIndex == 0 {
                    child[2 * node + bit] = -(symbol + 1)
                } else {
                    if child[2 * node + bit] == 0 {
                        child[2 * node + bit] = nodes
                        depth[nodes] = depth[node] + 1
                        allOnes[nodes] = allOnes[node] && bit == 1
                        nodes += 1
                    }
                    node = child[2 * node + bit]
                }
            }
        }
        precondition(nodes == 256, "a complete code over 257 symbols has 256 internal nodes")

        let transitions = UnsafeMutablePointer<UInt32>.allocate(capacity: 256 * 16)
        let endings = UnsafeMutablePointer<Ending>.allocate(capacity: 256)
        for state in 0..<256 {
            if allOnes[state] {
                endings[state] = depth[state] <= 7 ? .accepted : .paddingTooLong
            } else {
                endings[state] = .paddingNotEOS
            }
            for nibble in 0..<16 {
                var node = state
                var entry: UInt32 = 0
                for bitIndex in stride(from: 3, through: 0, by: -1) {
                    let next = child[2 * node + ((nibble >> bitIndex) & 1)]
                    if next < 0 {
                        let symbol = -next - 1
                        if symbol == HuffmanCode.eos {
                            entry |= failsEOS
                        } else {
                            entry |= emits | UInt32(symbol) << 8
                        }
                        node = 0
                    } else {
                        node = next
                    }
                }
                transitions[state * 16 + nibble] = entry | UInt32(node)
            }
        }
        return Tables(transitions: UnsafePointer(transitions), endings: UnsafePointer(endings))
    }

    /// Most bytes `count` Huffman-coded bytes can decode to: every code is at least 5 bits long.
    @inline(__always)
    static func maxDecodedCount(_ count: Int) -> Int { (count * 8) / 5 }

    /// Decodes `input` into `output`, which has room for `maxDecodedCount(input.count)` bytes, and
    /// returns the number written, or the §5.2 rule the string breaks.
    @inline(__always)
    static func decode(_ input: UnsafePointer<UInt8>, count: Int,
                       into output: UnsafeMutablePointer<UInt8>) -> (Int, HTTP2Violation?) {
        let transitions = tables.transitions
        var state = 0
        var written = 0
        var index = 0
        while index < count {
            let byte = Int(input[index])
            index += 1
            let high = transitions[state << 4 | byte >> 4]
            let low = transitions[Int(high & 0xff) << 4 | byte & 0xf]
            if (high | low) & failsEOS != 0 { return (written, HPACKError.huffmanEOS) }
            if high & emits != 0 {
                output[written] = UInt8(truncatingIfNeeded: high >> 8)
                written += 1
            }
            if low & emits != 0 {
                output[written] = UInt8(truncatingIfNeeded: low >> 8)
                written += 1
            }
            state = Int(low & 0xff)
        }
        switch tables.endings[state] {
        case .accepted: return (written, nil)
        case .paddingTooLong: return (written, HPACKError.huffmanPaddingTooLong)
        case .paddingNotEOS: return (written, HPACKError.huffmanPaddingNotEOS)
        }
    }
}
