import HTTP2Wire
import HTTPWire

/// What must hold for every input, valid or not. A broken invariant is a bug in HTTP2Wire.
enum FrameAndHPACKInvariants {
    /// The reader's bound on a decoded list: small, so a block that expands (an HPACK bomb) costs the
    /// fuzzer little, and the bound itself is exercised.
    static let maxHeaderListSize = 16 * 1024

    /// Returns a description of the first broken invariant, or nil.
    static func check(_ bytes: [UInt8]) -> String? {
        switch FuzzInput(bytes) {
        case .requests(let stream): return checkConnection(stream, mode: .requests)
        case .responses(let stream): return checkConnection(stream, mode: .responses)
        case .headerBlocks(let blocks, let tableSize): return checkHeaderBlocks(blocks, tableSize: tableSize)
        }
    }

    // MARK: - Connections

    static func read(_ bytes: [UInt8], mode: HTTP2ConnectionReader.Mode, pieces: [Range<Int>]) -> HTTP2ConnectionReader {
        var reader = HTTP2ConnectionReader(mode: mode, maxHeaderListSize: maxHeaderListSize)
        for piece in pieces { reader.feed(Array(bytes[piece])) }
        return reader
    }

    static func checkConnection(_ bytes: [UInt8], mode: HTTP2ConnectionReader.Mode) -> String? {
        let whole = read(bytes, mode: mode, pieces: [0..<bytes.count])
        if whole.offset > bytes.count { return "consumed \(whole.offset) of \(bytes.count) bytes" }
        for event in whole.events {
            switch event {
            case .streamError(let violation, _):
                if let broken = checkViolation(violation, expectConnection: false) { return broken }
            case .connectionError(let violation, let offset):
                if let broken = checkViolation(violation, expectConnection: true) { return broken }
                if offset < 0 || offset > bytes.count { return "connection error offset \(offset) outside the input" }
            case .fieldBlock(let block):
                if block.fields.count != block.representations.count { return "fields and representations differ in count" }
                if block.headerListTooLarge == nil, let broken = checkRoundTrip(block.fields, block.representations) {
                    return "stream \(block.streamID): \(broken)"
                }
            case .message(let message):
                if mode == .requests && message.request == nil { return "request message without a request" }
                if mode == .responses && message.status == nil { return "response message without a status" }
            case .frame:
                break
            }
        }
        if whole.firstViolation == nil && whole.connectionViolation != nil { return "connection error not counted as first" }
        // Split-point invariance: two pieces at a point taken from the input, and byte by byte.
        if bytes.count > 1 {
            let split = Int(bytes.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 } % UInt32(bytes.count))
            let halves = read(bytes, mode: mode, pieces: [0..<split, split..<bytes.count])
            if halves.events != whole.events { return "split at \(split) changes the events" }
        }
        if bytes.count <= 4096 {
            let bytewise = read(bytes, mode: mode, pieces: bytes.indices.map { $0..<($0 + 1) })
            if bytewise.events != whole.events { return "byte-by-byte feeding changes the events" }
        }
        return nil
    }

    // MARK: - Header blocks

    static func checkHeaderBlocks(_ blocks: [[UInt8]], tableSize: Int) -> String? {
        var decoder = HPACKDecoder(headerTableSize: tableSize, maxHeaderListSize: maxHeaderListSize)
        var list = DecodedFieldList()
        for (index, block) in blocks.enumerated() {
            let status: HPACKBlockStatus
            do throws(HTTP2Violation) {
                status = try decoder.decode(block, into: &list)
            } catch {
                return checkViolation(error, expectConnection: true).map { "block \(index): \($0)" }
            }
            if decoder.table.size > decoder.table.maxSize || decoder.table.maxSize > tableSize {
                return "block \(index): table holds \(decoder.table.size) of \(decoder.table.maxSize), limit \(tableSize)"
            }
            if list.headerListSize < list.count * HPACKDynamicTable.entryOverhead {
                return "block \(index): header list size \(list.headerListSize) below the fields' overhead"
            }
            guard status == .complete else {
                if !list.isEmpty { return "block \(index): fields kept from a list over the limit" }
                continue
            }
            if let broken = checkRoundTrip(list.headerFields, list.representations) { return "block \(index): \(broken)" }
        }
        return nil
    }

    // MARK: - Shared

    /// Every error carries a code of RFC 9113 §7, a scope, a reason and the section that states the rule.
    static func checkViolation(_ violation: HTTP2Violation, expectConnection: Bool) -> String? {
        if violation.reason.isEmpty { return "violation without a reason: \(violation)" }
        if !violation.rfcSection.hasPrefix("RFC ") || !violation.rfcSection.contains("§") {
            return "violation without a section: \(violation)"
        }
        if violation.code.name.hasPrefix("0x") || violation.code == .noError {
            return "violation with code \(violation.code.name): \(violation)"
        }
        if violation.isConnectionError != expectConnection { return "violation of the wrong scope: \(violation)" }
        if case .stream(let id) = violation.scope, id == 0 { return "stream error on stream 0: \(violation)" }
        return nil
    }

    /// An accepted field list, encoded again (three ways, never-indexed fields kept so), decodes to
    /// the same list. One encoder and decoder per way, so the dynamic tables are exercised too.
    static func checkRoundTrip(_ fields: [HeaderField], _ representations: [HPACKRepresentation]) -> String? {
        let ways: [(HPACKIndexingPolicy, HPACKHuffmanChoice)] = [(.indexEverything, .always), (.noIndexing, .never),
                                                                (.standard, .whenShorter)]
        for (policy, huffman) in ways {
            var encoder = HPACKEncoder(policy: policy, huffman: huffman)
            var block: [UInt8] = []
            encoder.beginBlock(into: &block)
            for (field, representation) in zip(fields, representations) {
                field.name.withUnsafeBytes { name in
                    field.value.withUnsafeBytes { value in
                        encoder.append(name: name, value: value,
                                       indexing: representation == .neverIndexed ? .neverIndexed : nil, into: &block)
                    }
                }
            }
            var decoder = HPACKDecoder(maxHeaderListSize: Int.max)
            var again = DecodedFieldList()
            do throws(HTTP2Violation) {
                _ = try decoder.decode(block, into: &again)
            } catch {
                return "re-encoded block (\(policy), \(huffman)) refused: \(error)"
            }
            if again.headerFields != fields { return "re-encoded block (\(policy), \(huffman)) decodes to other fields" }
            // The standard policy may add never-indexed (secrets), but none may be lost (RFC 7541 §6.2.3).
            for index in 0..<again.count where representations[index] == .neverIndexed && !again.isNeverIndexed(index) {
                return "re-encoded block (\(policy), \(huffman)) loses never-indexed on field \(index)"
            }
        }
        return nil
    }
}
