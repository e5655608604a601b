import HTTPWire

/// Changes to the field lines of one request head.
enum HeaderMutators {
    static func message(_ input: FuzzInput, _ random: inout SeededRandom) -> StreamLayout.Message? {
        let messages = StreamLayout(input.bytes).messages.filter { !$0.lines.isEmpty }
        return messages.isEmpty ? nil : random.pick(messages)
    }

    static func fieldLine(_ input: FuzzInput, _ random: inout SeededRandom) -> Range<Int>? {
        guard let message = message(input, &random), !message.fieldLines.isEmpty else { return nil }
        return random.pick(message.fieldLines)
    }

    /// Where a new field line may go: before any field line or before the blank line.
    static func insertionPoint(_ message: StreamLayout.Message, _ random: inout SeededRandom) -> Int? {
        guard message.lines.count >= 1 else { return nil }
        let candidates = message.fieldLines.map(\.lowerBound) + [message.lines.count > 1 ? message.lines.last!.lowerBound : message.head.upperBound]
        return random.pick(candidates)
    }

    /// The colon of a field line, if it has one.
    static func colon(_ input: FuzzInput, in line: Range<Int>) -> Int? {
        input.bytes[line].firstIndex(of: ASCII.colon)
    }

    /// The length a Content-Length line should announce: the bytes after the head, usually.
    static func bodyLength(_ message: StreamLayout.Message, _ random: inout SeededRandom) -> Int {
        let body = message.body.count
        switch random.below(6) {
        case 0: return 0
        case 1: return max(0, body + random.below(11) - 5)
        default: return body
        }
    }

    static func insertLine(_ template: String, _ input: inout FuzzInput, _ random: inout SeededRandom) -> Bool {
        guard let message = message(input, &random), let at = insertionPoint(message, &random) else { return false }
        input.insert(FramingObfuscations.line(template, length: bodyLength(message, &random)), at: at)
        return true
    }

    static let all: [Mutator] = [
        Mutator("header.delete") { input, random, _ in
            guard let line = fieldLine(input, &random) else { return false }
            input.replace(line, with: [])
            return true
        },
        Mutator("header.duplicate") { input, random, _ in
            guard let line = fieldLine(input, &random) else { return false }
            input.insert(Array(input.bytes[line]), at: random.chance(percent: 50) ? line.lowerBound : line.upperBound)
            return true
        },
        Mutator("header.reorder") { input, random, _ in
            guard let message = message(input, &random), message.fieldLines.count >= 2 else { return false }
            var lines = message.fieldLines.map { Array(input.bytes[$0]) }
            let first = random.below(lines.count)
            let second = random.below(lines.count)
            guard first != second else { return false }
            lines.swapAt(first, second)
            let span = message.fieldLines.first!.lowerBound..<message.fieldLines.last!.upperBound
            input.replace(span, with: lines.flatMap { $0 })
            return true
        },
        Mutator("header.name-case") { input, random, _ in
            guard let line = fieldLine(input, &random), let colon = colon(input, in: line) else { return false }
            let style = random.below(3)
            let name = input.bytes[line.lowerBound..<colon].enumerated().map { index, byte -> UInt8 in
                let isLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
                guard isLetter else { return byte }
                switch style {
                case 0: return byte & ~0x20
                case 1: return byte | 0x20
                default: return index % 2 == 0 ? byte ^ 0x20 : byte
                }
            }
            input.replace(line.lowerBound..<colon, with: name)
            return true
        },
        Mutator("header.insert-transfer-encoding", weight: 3) { input, random, _ in
            insertLine(random.pick(FramingObfuscations.transferEncoding), &input, &random)
        },
        Mutator("header.insert-content-length", weight: 3) { input, random, _ in
            insertLine(random.pick(FramingObfuscations.contentLength), &input, &random)
        },
        Mutator("header.insert-field") { input, random, _ in
            insertLine(random.pick(FramingObfuscations.other), &input, &random)
        },
        Mutator("header.whitespace", weight: 2) { input, random, _ in
            // Whitespace before or after the colon, at the end of the value, or before the name.
            guard let line = fieldLine(input, &random), let colon = colon(input, in: line) else { return false }
            let space: [UInt8] = [random.pick([ASCII.space, ASCII.tab, 0x0B, 0x0C, 0x00, ASCII.cr])]
            let valueEnd = input.bytes[line].lastIndex { $0 != ASCII.cr && $0 != ASCII.lf }.map { $0 + 1 } ?? line.upperBound
            let at = random.pick([colon, colon + 1, valueEnd, line.lowerBound])
            input.insert(space, at: at)
            return true
        },
        Mutator("header.obs-fold") { input, random, _ in
            guard let line = fieldLine(input, &random), let colon = colon(input, in: line) else { return false }
            let valueStart = input.bytes[(colon + 1)..<line.upperBound].firstIndex { $0 != ASCII.space && $0 != ASCII.tab } ?? colon + 1
            let fold: [UInt8] = random.pick([[0x0D, 0x0A, 0x20], [0x0D, 0x0A, 0x09], [0x0A, 0x20], [0x0D, 0x0A, 0x20, 0x20]])
            input.insert(fold, at: random.chance(percent: 50) ? valueStart : colon + 1)
            return true
        },
        Mutator("header.line-ending") { input, random, _ in
            // The CRLF of a head line becomes LF, CR, CR CR, or LF CR.
            guard let message = message(input, &random), !message.lines.isEmpty else { return false }
            let line = random.pick(message.lines)
            guard input.bytes[line].last == ASCII.lf else { return false }
            let hasCR = line.count >= 2 && input.bytes[line.upperBound - 2] == ASCII.cr
            let ending = (hasCR ? line.upperBound - 2 : line.upperBound - 1)..<line.upperBound
            input.replace(ending, with: random.pick([[0x0A], [0x0D], [0x0D, 0x0D, 0x0A], [0x0A, 0x0D], [0x0D, 0x20, 0x0A]]))
            return true
        },
    ]
}
