/// Every way a header block can fail to decode. RFC 9113 §4.3: a decoding error is a connection
/// error of type COMPRESSION_ERROR, because the peers' dynamic tables can no longer be trusted to agree.
public enum HPACKError {
    static func violation(_ reason: String, _ section: String) -> HTTP2Violation {
        .connection(reason, .compressionError, "RFC 7541 " + section)
    }

    public static let integerTruncated = violation("hpack-integer-truncated", "§5.1")
    public static let integerTooLong = violation("hpack-integer-too-long", "§5.1")
    public static let integerOverflow = violation("hpack-integer-overflow", "§5.1")
    public static let indexZero = violation("hpack-index-zero", "§6.1")
    public static let indexOutOfRange = violation("hpack-index-out-of-range", "§2.3.3")
    public static let stringTruncated = violation("hpack-string-truncated", "§5.2")
    public static let huffmanEOS = violation("hpack-huffman-eos", "§5.2")
    public static let huffmanPaddingTooLong = violation("hpack-huffman-padding-too-long", "§5.2")
    public static let huffmanPaddingNotEOS = violation("hpack-huffman-padding-not-eos", "§5.2")
    public static let sizeUpdateNotAtStart = violation("hpack-size-update-not-at-start", "§4.2")
    public static let sizeUpdateAboveLimit = violation("hpack-size-update-above-limit", "§6.3")
    public static let sizeUpdateMissing = violation("hpack-size-update-missing", "§4.2")
}
