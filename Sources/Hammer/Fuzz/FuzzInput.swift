import HTTPWire

/// The bytes of one connection and where they are cut into writes. Bytes are a template: `{host}`
/// is filled with the target's authority when sent, so a finding replays against any target.
public struct FuzzInput: Sendable, Hashable {
    public var bytes: [UInt8]
    /// Offsets where a new write starts, sorted, each strictly inside the bytes.
    public private(set) var cuts: [Int]

    public init(bytes: [UInt8], cuts: [Int] = []) {
        self.bytes = bytes
        self.cuts = []
        setCuts(cuts)
    }

    public init(segments: [[UInt8]]) {
        var bytes: [UInt8] = []
        var cuts: [Int] = []
        for segment in segments where !segment.isEmpty {
            if !bytes.isEmpty { cuts.append(bytes.count) }
            bytes += segment
        }
        self.init(bytes: bytes, cuts: cuts)
    }

    public var segments: [[UInt8]] {
        let bounds = [0] + cuts + [bytes.count]
        return zip(bounds, bounds.dropFirst()).map { Array(bytes[$0..<$1]) }
    }

    /// A cut inside a `{host}` placeholder moves behind it: corpus steps are filled one by one.
    public mutating func setCuts(_ newCuts: [Int]) {
        let placeholder = Array("{host}".utf8)
        let moved = newCuts.map { cut -> Int in
            for start in max(0, cut - placeholder.count + 1)..<cut
            where start + placeholder.count <= bytes.count && bytes[start..<(start + placeholder.count)].elementsEqual(placeholder) {
                return start + placeholder.count
            }
            return cut
        }
        cuts = Array(Set(moved.filter { $0 > 0 && $0 < bytes.count })).sorted()
    }

    /// Replaces bytes and keeps the cuts on the bytes they were on; cuts inside the range go away.
    public mutating func replace(_ range: Range<Int>, with new: [UInt8]) {
        let delta = new.count - range.count
        bytes.replaceSubrange(range, with: new)
        setCuts(cuts.compactMap { cut in
            if cut <= range.lowerBound { return cut }
            if cut >= range.upperBound { return cut + delta }
            return nil
        })
    }

    public mutating func insert(_ new: [UInt8], at offset: Int) { replace(offset..<offset, with: new) }

    /// The bytes as sent to a target at `authority`.
    public func filled(authority: String) -> [UInt8] { CorpusCase.fillHost(bytes, host: authority) }

    /// The writes as sent: `{host}` is filled in over the whole stream, so a placeholder cut by a
    /// write boundary is still filled (the boundary moves behind it).
    public func filledSegments(authority: String) -> [[UInt8]] {
        let placeholder = Array("{host}".utf8)
        let value = Array(authority.utf8)
        var segments: [[UInt8]] = [[]]
        var pendingCuts = cuts[...]
        var index = 0
        while index < bytes.count {
            while let cut = pendingCuts.first, cut <= index {
                pendingCuts.removeFirst()
                if !segments[segments.count - 1].isEmpty { segments.append([]) }
            }
            if bytes.count - index >= placeholder.count && bytes[index..<(index + placeholder.count)].elementsEqual(placeholder) {
                segments[segments.count - 1] += value
                index += placeholder.count
            } else {
                segments[segments.count - 1].append(bytes[index])
                index += 1
            }
        }
        return segments.filter { !$0.isEmpty }
    }
}

/// Where the requests, heads and lines of a stream are, for mutators that work on structure. Found
/// with the strict parser where it accepts, and by looking for the blank line where it does not.
struct StreamLayout {
    /// One message: its whole range, and the range of its head (request line to the blank line).
    struct Message {
        var range: Range<Int>
        var head: Range<Int>
        /// Line ranges in the head, each including its LF; the first is the request line.
        var lines: [Range<Int>]
        /// The lines between the request line and the blank line.
        var fieldLines: [Range<Int>]
        var body: Range<Int> { head.upperBound..<range.upperBound }
    }

    var messages: [Message] = []

    /// `{host}` has the same length as this stand-in, so offsets stay valid.
    static let hostStandIn = "h.test"

    init(_ bytes: [UInt8]) {
        var stream = RequestStreamParser()
        stream.feed(CorpusCase.fillHost(bytes, host: Self.hostStandIn))
        var bounds = stream.requests.map(\.streamRange)
        let rest = stream.requests.last?.streamRange.upperBound ?? 0
        if rest < bytes.count { bounds.append(rest..<bytes.count) }
        for range in bounds {
            let headEnd = Self.headEnd(bytes, in: range)
            var lines: [Range<Int>] = []
            var start = range.lowerBound
            var index = start
            while index < headEnd {
                if bytes[index] == ASCII.lf {
                    lines.append(start..<(index + 1))
                    start = index + 1
                }
                index += 1
            }
            if start < headEnd { lines.append(start..<headEnd) }
            let blank = { (line: Range<Int>) in bytes[line].allSatisfy { $0 == ASCII.cr || $0 == ASCII.lf } }
            let fieldLines = lines.dropFirst().filter { !blank($0) }
            messages.append(Message(range: range, head: range.lowerBound..<headEnd, lines: lines, fieldLines: Array(fieldLines)))
        }
    }

    /// The end of the blank line that ends the head (CRLF CRLF, or LF LF), or the end of the range.
    static func headEnd(_ bytes: [UInt8], in range: Range<Int>) -> Int {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == ASCII.lf {
                if index + 1 < range.upperBound && bytes[index + 1] == ASCII.lf { return index + 2 }
                if index + 2 < range.upperBound && bytes[index + 1] == ASCII.cr && bytes[index + 2] == ASCII.lf {
                    return index + 3
                }
            }
            index += 1
        }
        return range.upperBound
    }
}
