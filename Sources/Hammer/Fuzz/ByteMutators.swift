/// Single-byte changes. Positions fall in a request head most of the time, where parsers differ.
enum ByteMutators {
    /// Bytes parsers disagree about: line ends, whitespace, NUL, VT, FF, separators, and obs-text.
    static let meaningful: [UInt8] = [0x0D, 0x0A, 0x20, 0x09, 0x00, 0x0B, 0x0C, 0x3A, 0x2C, 0x3B, 0x22, 0x7F]
        + [0x80, 0x85, 0xA0, 0xAD, 0xFF]

    static func meaningfulByte(_ random: inout SeededRandom) -> UInt8 {
        random.chance(percent: 80) ? random.pick(meaningful) : UInt8(0x80 + random.below(0x80))
    }

    /// An offset in 0..<count (or 0...count with `end`), usually inside a head.
    static func position(_ input: FuzzInput, _ random: inout SeededRandom, end: Bool = false) -> Int {
        let limit = input.bytes.count + (end ? 1 : 0)
        if random.chance(percent: 75) {
            let layout = StreamLayout(input.bytes)
            if !layout.messages.isEmpty {
                let head = random.pick(layout.messages).head
                if !head.isEmpty { return head.lowerBound + random.below(head.count) }
            }
        }
        return random.below(limit)
    }

    static let all: [Mutator] = [
        Mutator("byte.delete", weight: 2) { input, random, _ in
            let at = position(input, &random)
            input.replace(at..<(at + 1), with: [])
            return true
        },
        Mutator("byte.replace", weight: 2) { input, random, _ in
            let at = position(input, &random)
            input.replace(at..<(at + 1), with: [random.chance(percent: 50) ? meaningfulByte(&random) : UInt8(random.below(256))])
            return true
        },
        Mutator("byte.insert") { input, random, _ in
            input.insert([UInt8(random.below(256))], at: position(input, &random, end: true))
            return true
        },
        Mutator("byte.insert-meaningful", weight: 3) { input, random, _ in
            input.insert([meaningfulByte(&random)], at: position(input, &random, end: true))
            return true
        },
    ]
}
