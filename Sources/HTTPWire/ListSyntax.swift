/// Field-value grammar shared by the framing rules: #lists (RFC 9110 §5.6.1), tokens, quoted strings.
enum ListSyntax {
    /// The elements of a #list value, split at commas outside quoted strings, OWS trimmed. Empty
    /// elements are reported (as empty ranges) so that fields whose grammar is not a list can refuse them.
    static func elements(_ value: UnsafeRawBufferPointer) -> ListElements { ListElements(value: value) }

    static func trim(_ value: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && ASCII.isWhitespace(value[lower]) { lower += 1 }
        while upper > lower && ASCII.isWhitespace(value[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    static func isToken(_ value: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty else { return false }
        let table = ByteClass.table
        return range.allSatisfy { table[Int(value[$0])].contains(.token) }
    }

    /// Index after a token starting at `index`, or `index` when there is none.
    static func tokenEnd(_ value: UnsafeRawBufferPointer, from index: Int, to end: Int) -> Int {
        let table = ByteClass.table
        var index = index
        while index < end && table[Int(value[index])].contains(.token) { index += 1 }
        return index
    }

    /// Index after a quoted-string starting at `index` (which holds the opening quote), or nil.
    static func quotedStringEnd(_ value: UnsafeRawBufferPointer, from index: Int, to end: Int) -> Int? {
        let table = ByteClass.table
        var index = index + 1
        while index < end {
            let byte = value[index]
            if byte == ASCII.quote { return index + 1 }
            if byte == ASCII.backslash {
                guard index + 1 < end else { return nil }
                let escaped = value[index + 1]
                guard escaped == ASCII.tab || (escaped >= ASCII.space && escaped != 0x7F) else { return nil }
                index += 2
            } else if table[Int(byte)].contains(.quotedText) {
                index += 1
            } else {
                return nil
            }
        }
        return nil
    }

    static func skipWhitespace(_ value: UnsafeRawBufferPointer, from index: Int, to end: Int) -> Int {
        var index = index
        while index < end && ASCII.isWhitespace(value[index]) { index += 1 }
        return index
    }

    /// `transfer-coding = token *( OWS ";" OWS transfer-parameter )`,
    /// `transfer-parameter = token BWS "=" BWS ( token / quoted-string )` (RFC 9110 §10.1.4, RFC 9112 §7).
    /// Returns the coding name and whether it carries parameters, or nil when the element is malformed.
    static func transferCoding(_ value: UnsafeRawBufferPointer, _ element: Range<Int>)
        -> (name: Range<Int>, hasParameters: Bool)?
    {
        let end = element.upperBound
        let nameEnd = tokenEnd(value, from: element.lowerBound, to: end)
        guard nameEnd > element.lowerBound else { return nil }
        var index = nameEnd
        var hasParameters = false
        while index < end {
            index = skipWhitespace(value, from: index, to: end)
            guard index < end, value[index] == ASCII.semicolon else { return nil }
            index = skipWhitespace(value, from: index + 1, to: end)
            let parameterNameEnd = tokenEnd(value, from: index, to: end)
            guard parameterNameEnd > index else { return nil }
            index = skipWhitespace(value, from: parameterNameEnd, to: end)
            guard index < end, value[index] == ASCII.equals else { return nil }
            index = skipWhitespace(value, from: index + 1, to: end)
            guard index < end else { return nil }
            if value[index] == ASCII.quote {
                guard let quotedEnd = quotedStringEnd(value, from: index, to: end) else { return nil }
                index = quotedEnd
            } else {
                let valueEnd = tokenEnd(value, from: index, to: end)
                guard valueEnd > index else { return nil }
                index = valueEnd
            }
            hasParameters = true
        }
        return (element.lowerBound..<nameEnd, hasParameters)
    }
}

/// Iterates a #list without allocating (RFC 9110 §5.6.1).
struct ListElements: Sequence, IteratorProtocol {
    let value: UnsafeRawBufferPointer
    private var start = 0
    private var finished = false

    init(value: UnsafeRawBufferPointer) { self.value = value }

    mutating func next() -> Range<Int>? {
        guard !finished else { return nil }
        var index = start
        var inQuotes = false
        while index < value.count {
            let byte = value[index]
            if inQuotes {
                if byte == ASCII.backslash { index += 1 } else if byte == ASCII.quote { inQuotes = false }
            } else if byte == ASCII.quote {
                inQuotes = true
            } else if byte == ASCII.comma {
                break
            }
            index += 1
        }
        let end = Swift.min(index, value.count)
        let element = ListSyntax.trim(value, start..<end)
        if end >= value.count { finished = true } else { start = end + 1 }
        return element
    }
}
