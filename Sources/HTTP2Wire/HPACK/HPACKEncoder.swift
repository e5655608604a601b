import HTTPWire

/// Encodes header blocks for this side's responses (RFC 7541), one connection's worth of state.
public struct HPACKEncoder: Sendable {
    public private(set) var table: HPACKDynamicTable
    public var policy: HPACKIndexingPolicy
    public var huffman: HPACKHuffmanChoice
    /// The most table this encoder will use, whatever the peer allows.
    public let ownLimit: Int
    /// Size updates owed to the peer's decoder (§4.2): the smallest maximum since the last block,
    /// then the final one.
    private var pendingSmallest: Int?
    private var pendingFinal: Int?

    /// `peerHeaderTableSize` is the peer decoder's SETTINGS_HEADER_TABLE_SIZE as this side knows it
    /// (4096 until the peer's SETTINGS arrive, RFC 9113 §6.5.2). A smaller own limit is announced
    /// at the start of the first block.
    public init(maxTableSize: Int = 4096, peerHeaderTableSize: Int = 4096, policy: HPACKIndexingPolicy = .standard,
                huffman: HPACKHuffmanChoice = .whenShorter) {
        ownLimit = maxTableSize
        self.policy = policy
        self.huffman = huffman
        let initial = min(maxTableSize, peerHeaderTableSize)
        table = HPACKDynamicTable(capacity: maxTableSize, maxSize: initial)
        if initial != peerHeaderTableSize {
            pendingSmallest = initial
            pendingFinal = initial
        }
    }

    /// Applies the peer's SETTINGS_HEADER_TABLE_SIZE; the change is signalled at the start of the
    /// next block.
    public mutating func setPeerHeaderTableSize(_ peerLimit: Int) {
        let newMax = min(peerLimit, ownLimit)
        guard newMax != (pendingFinal ?? table.maxSize) else { return }
        pendingSmallest = min(pendingSmallest ?? newMax, newMax)
        pendingFinal = newMax
    }

    /// Starts a header block: writes the size updates the peer is owed. Call once per block, before
    /// the first field.
    public mutating func beginBlock(into out: inout [UInt8]) {
        guard let final = pendingFinal, let smallest = pendingSmallest else { return }
        if smallest < final {
            HPACKInteger.encode(smallest, prefixBits: 5, flags: 0x20, into: &out)
            table.setMaxSize(smallest)
        }
        HPACKInteger.encode(final, prefixBits: 5, flags: 0x20, into: &out)
        table.setMaxSize(final)
        pendingSmallest = nil
        pendingFinal = nil
    }

    /// Appends one field. Names must be lowercase (RFC 9113 §8.2); `indexing` overrides the policy.
    public mutating func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
                                indexing: HPACKIndexing? = nil, into out: inout [UInt8]) {
        let chosen = indexing ?? policy.indexing(name: name, valueCount: value.count, maxTableSize: table.maxSize)
        let fromStatic = StaticTable.find(name: name, value: value)
        var nameIndex = fromStatic.name
        // A never-indexed field stays a literal so that its flag reaches the next hop (§6.2.3).
        if chosen != .neverIndexed {
            if let exact = fromStatic.exact {
                HPACKInteger.encode(exact, prefixBits: 7, flags: 0x80, into: &out)
                return
            }
            let fromTable = table.find(name: name, value: value)
            if let exact = fromTable.exact {
                HPACKInteger.encode(StaticTable.count + exact, prefixBits: 7, flags: 0x80, into: &out)
                return
            }
            if nameIndex == nil, let dynamic = fromTable.name { nameIndex = StaticTable.count + dynamic }
        } else if nameIndex == nil, let dynamic = table.find(name: name, value: value).name {
            nameIndex = StaticTable.count + dynamic
        }
        switch chosen {
        case .incremental: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 6, flags: 0x40, into: &out)
        case .withoutIndexing: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x00, into: &out)
        case .neverIndexed: HPACKInteger.encode(nameIndex ?? 0, prefixBits: 4, flags: 0x10, into: &out)
        }
        if nameIndex == nil { appendString(name, into: &out) }
        appendString(value, into: &out)
        if chosen == .incremental {
            table.insert(name: name, value: value, known: KnownField.classify(name))
        }
    }

    public mutating func append(name: String, value: String, indexing: HPACKIndexing? = nil, into out: inout [UInt8]) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { value in
                append(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value), indexing: indexing, into: &out)
            }
        }
    }

    /// A whole block: the owed size updates, then every field.
    public mutating func encode(_ fields: [HeaderField], into out: inout [UInt8]) {
        beginBlock(into: &out)
        for field in fields {
            field.name.withUnsafeBytes { name in
                field.value.withUnsafeBytes { value in append(name: name, value: value, into: &out) }
            }
        }
    }

    /// A string literal (§5.2), Huffman-coded as `huffman` says.
    private func appendString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let useHuffman: Bool
        var huffmanCount = 0
        switch huffman {
        case .never: useHuffman = false
        case .always:
            useHuffman = true
            huffmanCount = HuffmanCode.encodedCount(bytes)
        case .whenShorter:
            huffmanCount = HuffmanCode.encodedCount(bytes)
            useHuffman = huffmanCount < bytes.count
        }
        if useHuffman {
            HPACKInteger.encode(huffmanCount, prefixBits: 7, flags: 0x80, into: &out)
            HuffmanCode.encode(bytes, into: &out)
        } else {
            HPACKInteger.encode(bytes.count, prefixBits: 7, flags: 0x00, into: &out)
            out.append(contentsOf: bytes)
        }
    }
}
