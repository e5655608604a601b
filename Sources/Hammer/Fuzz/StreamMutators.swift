import Foundation
import HTTPWire

/// Changes to the sequence of requests on the connection and to how it is cut into writes.
enum StreamMutators {
    static let all: [Mutator] = [
        Mutator("stream.concatenate", weight: 2) { input, random, context in
            guard !context.seeds.isEmpty else { return false }
            let other = random.pick(context.seeds)
            let at = input.bytes.count
            input.insert(other.bytes, at: at)
            input.setCuts(input.cuts + [at] + other.cuts.map { $0 + at })
            return true
        },
        Mutator("stream.split") { input, random, _ in
            guard input.bytes.count >= 2 else { return false }
            input.setCuts(input.cuts + [1 + random.below(input.bytes.count - 1)])
            return true
        },
        Mutator("stream.merge-writes") { input, random, _ in
            guard !input.cuts.isEmpty else { return false }
            var cuts = input.cuts
            cuts.remove(at: random.below(cuts.count))
            input.setCuts(cuts)
            return true
        },
        Mutator("stream.duplicate") { input, random, _ in
            let messages = StreamLayout(input.bytes).messages
            guard !messages.isEmpty else { return false }
            let message = random.pick(messages)
            input.insert(Array(input.bytes[message.range]), at: message.range.upperBound)
            return true
        },
        Mutator("stream.drop") { input, random, _ in
            let messages = StreamLayout(input.bytes).messages
            guard messages.count >= 2 else { return false }
            input.replace(random.pick(messages).range, with: [])
            return true
        },
        Mutator("stream.shift-boundary", weight: 2) { input, random, _ in
            // A Content-Length a few bytes off moves the end of the body into the next request or back.
            for message in StreamLayout(input.bytes).messages {
                for line in message.fieldLines {
                    let text = String(decoding: input.bytes[line], as: UTF8.self)
                    guard text.lowercased().hasPrefix("content-length:"),
                          let digits = text.range(of: "[0-9]+", options: .regularExpression),
                          let value = Int(text[digits]), random.chance(percent: 70)
                    else { continue }
                    let shifted = max(0, value + random.pick([-3, -2, -1, 1, 2, 3, 5, 16]))
                    let start = line.lowerBound + text.utf8.distance(from: text.startIndex, to: digits.lowerBound)
                    let end = line.lowerBound + text.utf8.distance(from: text.startIndex, to: digits.upperBound)
                    input.replace(start..<end, with: Array(String(shifted).utf8))
                    return true
                }
            }
            return false
        },
        Mutator("stream.rechunk") { input, random, _ in
            // The same chunked data cut into chunks of other sizes.
            let chunks = ChunkLayout(input.bytes).chunks
            guard let first = chunks.first, let last = chunks.last, last.isLast, chunks.count >= 2 else { return false }
            var data = chunks.dropLast().flatMap { Array(input.bytes[$0.data]) }
            var encoded: [UInt8] = []
            while !data.isEmpty {
                let size = min(data.count, 1 + random.below(max(1, data.count)))
                encoded += Array(String(size, radix: 16).utf8) + ASCII.crlf + data.prefix(size) + ASCII.crlf
                data.removeFirst(size)
            }
            input.replace(first.line.lowerBound..<last.line.lowerBound, with: encoded)
            return true
        },
    ]
}
