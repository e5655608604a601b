import HTTPWire

/// Where the chunks of chunked bodies are, read leniently so that already-mutated bodies still
/// offer something to mutate: a chunk is a hex size line, its data, and the CRLF after it.
struct ChunkLayout {
    struct Chunk {
        /// The size line, LF included.
        var line: Range<Int>
        /// The hex digits of the size.
        var size: Range<Int>
        var data: Range<Int>
        /// The bytes that should be CRLF after the data (empty for the last chunk).
        var dataEnd: Range<Int>
        var isLast: Bool { data.isEmpty }
    }

    var chunks: [Chunk] = []

    init(_ bytes: [UInt8]) {
        for message in StreamLayout(bytes).messages {
            let head = bytes[message.head].map { $0 | 0x20 }
            guard head.firstRange(of: Array("chunked".utf8)) != nil else { continue }
            chunks += Self.scan(bytes, message.body)
        }
    }

    static func scan(_ bytes: [UInt8], _ range: Range<Int>) -> [Chunk] {
        var chunks: [Chunk] = []
        var position = range.lowerBound
        while position < range.upperBound {
            guard let lineEnd = bytes[position..<range.upperBound].firstIndex(of: ASCII.lf) else { break }
            let digits = bytes[position..<lineEnd].prefix { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) }
            guard !digits.isEmpty, digits.count <= 8, let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else { break }
            let sizeRange = position..<(position + digits.count)
            let dataStart = lineEnd + 1
            if size == 0 {
                chunks.append(Chunk(line: position..<dataStart, size: sizeRange, data: dataStart..<dataStart, dataEnd: dataStart..<dataStart))
                break
            }
            let dataEnd = dataStart + size
            guard dataEnd <= range.upperBound else { break }
            let terminator = dataEnd..<min(dataEnd + 2, range.upperBound)
            chunks.append(Chunk(line: position..<dataStart, size: sizeRange, data: dataStart..<dataEnd, dataEnd: terminator))
            position = terminator.upperBound
        }
        return chunks
    }
}

/// Changes to chunk sizes, extensions, line ends and the last chunk.
enum ChunkMutators {
    static func chunk(_ input: FuzzInput, _ random: inout SeededRandom) -> ChunkLayout.Chunk? {
        let chunks = ChunkLayout(input.bytes).chunks
        return chunks.isEmpty ? nil : random.pick(chunks)
    }

    static func sizeVariant(_ digits: String, _ random: inout SeededRandom) -> String {
        let value = Int(digits, radix: 16) ?? 0
        switch random.below(14) {
        case 0: return "+" + digits
        case 1: return "-" + digits
        case 2: return "0x" + digits
        case 3: return "0000000" + digits
        case 4: return " " + digits
        case 5: return digits + " "
        case 6: return "1" + String(repeating: "0", count: 16) + digits
        case 7: return "ffffffffffffffff" + digits
        case 8: return digits.uppercased() == digits ? digits.lowercased() : digits.uppercased()
        case 9: return String(value + 1, radix: 16)
        case 10: return String(max(0, value - 1), radix: 16)
        case 11: return digits + "_0"
        case 12: return digits + "\t"
        default: return String(value, radix: 10)
        }
    }

    static let extensions = [";a=b", ";a", "; a=b", ";a=\"b\"", ";a=\"b", ";\n", ";\r", ";a=b\rX", ";a=b\nX", ";=b", ";a=",
                             ";" + String(repeating: "x", count: 300), " ;a=b", "\t;a=b", ";a=\"\\\"\"", ";\u{0}"]

    static let all: [Mutator] = [
        Mutator("chunk.size", weight: 2) { input, random, _ in
            guard let chunk = chunk(input, &random) else { return false }
            let digits = String(decoding: input.bytes[chunk.size], as: UTF8.self)
            input.replace(chunk.size, with: Array(sizeVariant(digits, &random).utf8))
            return true
        },
        Mutator("chunk.extension") { input, random, _ in
            guard let chunk = chunk(input, &random) else { return false }
            let text = random.pick(extensions)
            input.insert(text.unicodeScalars.compactMap { $0.value < 0x100 ? UInt8($0.value) : nil }, at: chunk.size.upperBound)
            return true
        },
        Mutator("chunk.terminator", weight: 2) { input, random, _ in
            // The CRLF ending a size line or following chunk data becomes something else.
            guard let chunk = chunk(input, &random) else { return false }
            let replacement: [UInt8] = random.pick([[0x0A], [0x0D], [0x0D, 0x0D], [0x58, 0x58], [], [0x0D, 0x0A, 0x0D, 0x0A], [0x0A, 0x0A]])
            if chunk.isLast || random.chance(percent: 50) {
                let lineEnd = chunk.line.upperBound
                let hasCR = lineEnd - 2 >= chunk.line.lowerBound && input.bytes[lineEnd - 2] == ASCII.cr
                input.replace((hasCR ? lineEnd - 2 : lineEnd - 1)..<lineEnd, with: replacement)
            } else {
                input.replace(chunk.dataEnd, with: replacement)
            }
            return true
        },
        Mutator("chunk.last") { input, random, _ in
            guard let last = ChunkLayout(input.bytes).chunks.last, last.isLast else { return false }
            switch random.below(6) {
            case 0: input.replace(last.size, with: Array("00".utf8))
            case 1: input.replace(last.size, with: Array("000000000000000000000".utf8))
            case 2: input.insert(Array("X: y\r\n".utf8), at: last.line.upperBound)
            case 3: input.insert(Array("Content-Length: 5\r\n".utf8), at: last.line.upperBound)
            case 4: input.insert(Array("Transfer-Encoding: chunked\r\n".utf8), at: last.line.upperBound)
            default:
                // Without the CRLF that ends the trailer section.
                let end = last.line.upperBound
                guard end + 2 <= input.bytes.count, input.bytes[end] == ASCII.cr, input.bytes[end + 1] == ASCII.lf else { return false }
                input.replace(end..<(end + 2), with: [])
            }
            return true
        },
    ]
}
