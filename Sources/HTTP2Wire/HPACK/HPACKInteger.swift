/// The prefixed integers of RFC 7541 §5.1.
enum HPACKInteger {
    /// Nothing HPACK carries (indexes, lengths, table sizes) needs more than 32 bits; larger
    /// values are refused so that a peer cannot make lengths wrap or loops run for ever.
    static let maxValue = Int(UInt32.max)
    /// 5 continuation bytes carry 35 bits past the prefix: enough for `maxValue` with any prefix,
    /// and a bound on leading zero-valued continuation bytes that add nothing but work.
    static let maxContinuationBytes = 5

    /// Reads the integer whose first byte is at `position` (the caller has checked it exists and
    /// read its flag bits) and leaves `position` after it.
    @inline(__always)
    static func decode(_ base: UnsafePointer<UInt8>, _ end: Int, _ position: inout Int,
                       prefixBits: Int) throws(HTTP2Violation) -> Int {
        let mask = (1 << prefixBits) - 1
        var value = Int(base[position]) & mask
        position += 1
        if value < mask { return value }
        var shift = 0
        var continuation = 0
        while true {
            guard position < end else { throw HPACKError.integerTruncated }
            let byte = base[position]
            position += 1
            continuation += 1
            guard continuation <= maxContinuationBytes else { throw HPACKError.integerTooLong }
            value += Int(byte & 0x7f) << shift
            guard value <= maxValue else { throw HPACKError.integerOverflow }
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// Appends `value` with `flags` in the bits above the `prefixBits`-bit prefix.
    @inline(__always)
    static func encode(_ value: Int, prefixBits: Int, flags: UInt8, into out: inout [UInt8]) {
        let mask = (1 << prefixBits) - 1
        if value < mask {
            out.append(flags | UInt8(truncatingIfNeeded: value))
            return
        }
        out.append(flags | UInt8(truncatingIfNeeded: mask))
        var rest = value - mask
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest & 0x7f) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(truncatingIfNeeded: rest))
    }
}
