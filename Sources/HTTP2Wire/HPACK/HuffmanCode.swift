/// The static Huffman code of RFC 7541 Appendix B.
///
/// The code is canonical (codes of one length are consecutive, in symbol order, and shorter codes
/// come first), so the lengths alone define it; the codes are derived once instead of being typed in.
enum HuffmanCode {
    static let eos = 256

    /// Code lengths in bits for symbols 0...255 and EOS (256), Appendix B.
    static let lengths: [UInt8] = [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 32-47  ' '..'/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 48-63  '0'..'?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 64-79  '@'..'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 80-95  'P'..'_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 96-111 '`'..'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 112-127 'p'..DEL
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30, // EOS
    ]

    /// Codes right-aligned (the last bit of a code is bit 0), indexed by symbol; never freed, so the
    /// encoder's loop reads them without bounds checks or retain traffic.
    nonisolated(unsafe) static let codes: UnsafePointer<UInt32> = {
        let codes = UnsafeMutablePointer<UInt32>.allocate(capacity: 257)
        let order = (0...256).sorted { (lengths[$0], $0) < (lengths[$1], $1) }
        var code: UInt32 = 0
        var previousLength = lengths[order[0]]
        for (rank, symbol) in order.enumerated() {
            let length = lengths[symbol]
            if rank > 0 { code = (code + 1) << UInt32(length - previousLength) }
            codes[symbol] = code
            previousLength = length
        }
        return UnsafePointer(codes)
    }()

    nonisolated(unsafe) static let lengthTable: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 257)
        for symbol in 0...256 { table[symbol] = lengths[symbol] }
        return UnsafePointer(table)
    }()

    /// Bytes the Huffman form of `bytes` takes, padding included.
    @inline(__always)
    static func encodedCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        let lengths = lengthTable
        var bits = 0
        for byte in bytes { bits &+= Int(lengths[Int(byte)]) }
        return (bits + 7) >> 3
    }

    /// Appends the Huffman form of `bytes`, padded with the most significant bits of EOS (all ones).
    static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let codes = self.codes
        let lengths = lengthTable
        var accumulator: UInt64 = 0
        var pending = 0
        for byte in bytes {
            let symbol = Int(byte)
            let length = Int(lengths[symbol])
            accumulator = (accumulator << UInt64(length)) | UInt64(codes[symbol])
            pending += length
            while pending >= 8 {
                pending -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt64(pending)))
            }
        }
        if pending > 0 {
            let padding = 8 - pending
            out.append(UInt8(truncatingIfNeeded: (accumulator << UInt64(padding)) | ((1 << UInt64(padding)) - 1)))
        }
    }
}
