import HTTPWire

/// How a field was represented in the header block (RFC 7541 §6), kept so that a proxy can
/// re-encode a never-indexed field as never-indexed (§6.2.3) and tools can show what the peer sent.
public enum HPACKRepresentation: UInt8, Sendable {
    case indexed
    case incrementalIndexing
    case withoutIndexing
    case neverIndexed
}

/// The fields of one decoded header block, in order: names and values back to back in one byte
/// buffer, with ranges into it. Reused from block to block so that, once its buffers have grown to
/// the connection's usual header sizes, decoding allocates nothing.
public struct DecodedFieldList: Sendable {
    /// The names and values, addressed by the ranges in `fields`. The array is kept at the size it
    /// grew to and written in place, so bytes past `byteCount` are scratch left from earlier blocks:
    /// read it through the fields' ranges only.
    public private(set) var bytes: [UInt8] = []
    /// Name and value ranges into `bytes`; `known` classifies the name as HTTP/1.1 does.
    public private(set) var fields: [FieldLine] = []
    public private(set) var representations: [HPACKRepresentation] = []
    /// RFC 9113 §6.5.2: the sum over the fields of name + value + 32, counted over the whole block
    /// even past the limit, so the caller can report how large the list would have been.
    public internal(set) var headerListSize = 0
    /// The bytes of `bytes` in use by this block's fields.
    public private(set) var byteCount = 0

    public init(byteCapacity: Int = 4096, fieldCapacity: Int = 64) {
        bytes = [UInt8](repeating: 0, count: byteCapacity)
        fields.reserveCapacity(fieldCapacity)
        representations.reserveCapacity(fieldCapacity)
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func isNeverIndexed(_ index: Int) -> Bool { representations[index] == .neverIndexed }

    /// Calls `body` with the name and value bytes of field `index`, valid only inside `body`.
    @inline(__always)
    public func withField<R>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let line = fields[index]
        return try bytes.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[line.name]), UnsafeRawBufferPointer(rebasing: all[line.value]))
        }
    }

    /// Copies, for tests, tools and the harness (allocates).
    public func name(_ index: Int) -> [UInt8] { Array(bytes[fields[index].name]) }
    public func value(_ index: Int) -> [UInt8] { Array(bytes[fields[index].value]) }
    public var headerFields: [HeaderField] {
        fields.map { HeaderField(name: Array(bytes[$0.name]), value: Array(bytes[$0.value])) }
    }

    public mutating func removeAll() {
        byteCount = 0
        fields.removeAll(keepingCapacity: true)
        representations.removeAll(keepingCapacity: true)
        headerListSize = 0
    }

    // MARK: Building, for the decoder

    /// Makes room for `count` more bytes after `byteCount`: grows (doubling) only past the largest
    /// block seen, the one place decoding allocates.
    @inline(__always)
    private mutating func reserve(_ count: Int) {
        let needed = byteCount + count
        if needed > bytes.count { grow(to: needed) }
    }

    private mutating func grow(to needed: Int) {
        var newCount = max(bytes.count, 256)
        while newCount < needed { newCount *= 2 }
        bytes.append(contentsOf: repeatElement(0, count: newCount - bytes.count))
    }

    @inline(__always)
    mutating func appendBytes(_ source: UnsafeRawBufferPointer) {
        guard let from = source.baseAddress, source.count > 0 else { return }
        reserve(source.count)
        let start = byteCount
        bytes.withUnsafeMutableBytes { ($0.baseAddress! + start).copyMemory(from: from, byteCount: source.count) }
        byteCount += source.count
    }

    /// Appends up to `count` bytes that `fill` writes (it returns how many it actually wrote).
    @inline(__always)
    mutating func appendBytes(upTo count: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(count)
        let start = byteCount
        let written = bytes.withUnsafeMutableBufferPointer { fill($0.baseAddress! + start) }
        byteCount += written
    }

    @inline(__always)
    mutating func appendFromTable(_ table: HPACKDynamicTable, name entry: HPACKDynamicTable.Entry) {
        reserve(entry.nameCount)
        let start = byteCount
        bytes.withUnsafeMutableBytes { table.copyName(entry, to: $0.baseAddress! + start) }
        byteCount += entry.nameCount
    }

    @inline(__always)
    mutating func appendFromTable(_ table: HPACKDynamicTable, value entry: HPACKDynamicTable.Entry) {
        reserve(entry.valueCount)
        let start = byteCount
        bytes.withUnsafeMutableBytes { table.copyValue(entry, to: $0.baseAddress! + start) }
        byteCount += entry.valueCount
    }

    @inline(__always)
    mutating func truncateBytes(to count: Int) {
        byteCount = count
    }

    @inline(__always)
    func slice(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    @inline(__always)
    mutating func appendField(_ line: FieldLine, _ representation: HPACKRepresentation) {
        fields.append(line)
        representations.append(representation)
    }

    /// Drops the fields but keeps counting: what is left of a block once its list is too large.
    mutating func dropFields() {
        byteCount = 0
        fields.removeAll(keepingCapacity: true)
        representations.removeAll(keepingCapacity: true)
    }
}
