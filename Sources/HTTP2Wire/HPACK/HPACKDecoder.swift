import HTTPWire

/// What became of a header block that decoded without a compression error.
public enum HPACKBlockStatus: Sendable, Equatable {
    case complete
    /// The decoded list passed `maxHeaderListSize` (RFC 9113 §6.5.2). The whole block was still
    /// decoded and its table updates applied, so the connection stays usable (RFC 9113 §4.3); the
    /// fields were dropped. A server answers 431 (RFC 6585 §5) or resets the stream.
    case headerListTooLarge(size: Int)
}

/// Decodes complete header blocks (RFC 7541), one connection's worth of state.
///
/// Any byte string yields a status or a violation: every integer, index and length is checked
/// against the block and the tables before use.
public struct HPACKDecoder: Sendable {
    public private(set) var table: HPACKDynamicTable
    /// The SETTINGS_HEADER_TABLE_SIZE in force: the most a size update may ask for (§6.3).
    public private(set) var headerTableSizeLimit: Int
    /// SETTINGS_MAX_HEADER_LIST_SIZE as this side enforces it (RFC 9113 §6.5.2).
    public var maxHeaderListSize: Int
    /// Set when the limit dropped below the table's maximum: the next block must start with a
    /// size update no larger than this (§4.2).
    public private(set) var requiredSizeUpdate: Int?

    /// `headerTableSize` is the limit the peer's encoder currently assumes: 4096 (RFC 9113 §6.5.2)
    /// until this side's SETTINGS with another value has been acknowledged.
    public init(headerTableSize: Int = 4096, maxHeaderListSize: Int = 16 * 1024) {
        table = HPACKDynamicTable(capacity: headerTableSize)
        headerTableSizeLimit = headerTableSize
        self.maxHeaderListSize = maxHeaderListSize
    }

    /// Applies this side's SETTINGS_HEADER_TABLE_SIZE once the peer has acknowledged it.
    public mutating func setHeaderTableSizeLimit(_ limit: Int) {
        headerTableSizeLimit = limit
        table.reserveCapacity(limit)
        if limit < table.maxSize {
            // Several changes before the next block: the encoder must signal the smallest (§4.2).
            requiredSizeUpdate = min(requiredSizeUpdate ?? limit, limit)
        }
    }

    /// Decodes one complete header block (the HEADERS or PUSH_PROMISE fragment with all its
    /// CONTINUATION fragments) into `list`, replacing its contents.
    public mutating func decode(_ block: UnsafeRawBufferPointer,
                                into list: inout DecodedFieldList) throws(HTTP2Violation) -> HPACKBlockStatus {
        list.removeAll()
        let end = block.count
        guard end > 0, let raw = block.baseAddress else {
            if requiredSizeUpdate != nil { throw HPACKError.sizeUpdateMissing }
            return .complete
        }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let limit = maxHeaderListSize
        var tooLarge = false
        var atStart = true
        var position = 0
        while position < end {
            let first = base[position]
            if first & 0xe0 == 0x20 {
                guard atStart else { throw HPACKError.sizeUpdateNotAtStart }
                let newSize = try HPACKInteger.decode(base, end, &position, prefixBits: 5)
                guard newSize <= headerTableSizeLimit else { throw HPACKError.sizeUpdateAboveLimit }
                if let required = requiredSizeUpdate {
                    guard newSize <= required else { throw HPACKError.sizeUpdateMissing }
                    requiredSizeUpdate = nil
                }
                table.setMaxSize(newSize)
                continue
            }
            if atStart {
                if requiredSizeUpdate != nil { throw HPACKError.sizeUpdateMissing }
                atStart = false
            }
            let mark = list.byteCount
            let name: Range<Int>
            let value: Range<Int>
            let known: KnownField
            let representation: HPACKRepresentation
            if first & 0x80 != 0 {
                representation = .indexed
                let index = try HPACKInteger.decode(base, end, &position, prefixBits: 7)
                if index == 0 { throw HPACKError.indexZero }
                if index <= StaticTable.count {
                    let entry = StaticTable.entry(index)
                    // Counted before copying: a bomb of one-byte references to a large entry costs
                    // no copies once the list is over the limit.
                    list.headerListSize += entry.nameCount + entry.valueCount + HPACKDynamicTable.entryOverhead
                    if tooLarge || list.headerListSize > limit {
                        if !tooLarge { tooLarge = true; list.dropFields() }
                        continue
                    }
                    list.appendBytes(StaticTable.name(entry))
                    name = mark..<list.byteCount
                    list.appendBytes(StaticTable.value(entry))
                    known = entry.known
                } else {
                    let dynamicIndex = index - StaticTable.count
                    guard dynamicIndex <= table.count else { throw HPACKError.indexOutOfRange }
                    let entry = table.entry(dynamicIndex)
                    list.headerListSize += entry.nameCount + entry.valueCount + HPACKDynamicTable.entryOverhead
                    if tooLarge || list.headerListSize > limit {
                        if !tooLarge { tooLarge = true; list.dropFields() }
                        continue
                    }
                    list.appendFromTable(table, name: entry)
                    name = mark..<list.byteCount
                    list.appendFromTable(table, value: entry)
                    known = entry.known
                }
                value = name.upperBound..<list.byteCount
            } else {
                let prefixBits: Int
                if first & 0x40 != 0 {
                    representation = .incrementalIndexing
                    prefixBits = 6
                } else {
                    representation = first & 0x10 != 0 ? .neverIndexed : .withoutIndexing
                    prefixBits = 4
                }
                let nameIndex = try HPACKInteger.decode(base, end, &position, prefixBits: prefixBits)
                if nameIndex == 0 {
                    name = try Self.readString(base, end, &position, into: &list)
                    var classified = KnownField.other
                    list.slice(name) { classified = KnownField.classify($0) }
                    known = classified
                } else if nameIndex <= StaticTable.count {
                    let entry = StaticTable.entry(nameIndex)
                    list.appendBytes(StaticTable.name(entry))
                    name = mark..<list.byteCount
                    known = entry.known
                } else {
                    let dynamicIndex = nameIndex - StaticTable.count
                    guard dynamicIndex <= table.count else { throw HPACKError.indexOutOfRange }
                    let entry = table.entry(dynamicIndex)
                    list.appendFromTable(table, name: entry)
                    name = mark..<list.byteCount
                    known = entry.known
                }
                value = try Self.readString(base, end, &position, into: &list)
                if representation == .incrementalIndexing {
                    // Copied out of the table into the list first, so eviction cannot pull the name
                    // from under the insertion (§4.4).
                    list.bytes.withUnsafeBytes { all in
                        table.insert(name: UnsafeRawBufferPointer(rebasing: all[name]),
                                     value: UnsafeRawBufferPointer(rebasing: all[value]), known: known)
                    }
                }
                list.headerListSize += name.count + value.count + HPACKDynamicTable.entryOverhead
                if tooLarge || list.headerListSize > limit {
                    if tooLarge { list.truncateBytes(to: mark) } else { tooLarge = true; list.dropFields() }
                    continue
                }
            }
            list.appendField(FieldLine(name: name, value: value, known: known), representation)
        }
        if atStart && requiredSizeUpdate != nil { throw HPACKError.sizeUpdateMissing }
        return tooLarge ? .headerListTooLarge(size: list.headerListSize) : .complete
    }

    /// Convenience for tests and tools.
    public mutating func decode(_ block: [UInt8], into list: inout DecodedFieldList) throws(HTTP2Violation) -> HPACKBlockStatus {
        var result: Result<HPACKBlockStatus, HTTP2Violation> = .success(.complete)
        block.withUnsafeBytes { bytes in
            do throws(HTTP2Violation) { result = .success(try decode(bytes, into: &list)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// A string literal (§5.2), decoded onto the end of the list's bytes.
    @inline(__always)
    private static func readString(_ base: UnsafePointer<UInt8>, _ end: Int, _ position: inout Int,
                                   into list: inout DecodedFieldList) throws(HTTP2Violation) -> Range<Int> {
        guard position < end else { throw HPACKError.stringTruncated }
        let huffman = base[position] & 0x80 != 0
        let length = try HPACKInteger.decode(base, end, &position, prefixBits: 7)
        guard length <= end - position else { throw HPACKError.stringTruncated }
        let start = list.byteCount
        if huffman {
            var failure: HTTP2Violation?
            let input = base + position
            list.appendBytes(upTo: HuffmanDecoder.maxDecodedCount(length)) { output in
                let (written, broken) = HuffmanDecoder.decode(input, count: length, into: output)
                failure = broken
                return written
            }
            if let failure { throw failure }
        } else {
            list.appendBytes(UnsafeRawBufferPointer(start: base + position, count: length))
        }
        position += length
        return start..<list.byteCount
    }
}
