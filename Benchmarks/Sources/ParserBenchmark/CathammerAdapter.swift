import HTTPWire

/// cathammer's HTTPWire.RequestParser: one parser per run, reused for every request; `.end` events are
/// counted and `head.fields.count` summed at each `.head`, so the work cannot be optimized away.
final class CathammerAdapter: ParserAdapter {
    static let name = "cathammer"
    private let buffer: UnsafeMutableRawBufferPointer

    init(_ input: Input) {
        buffer = .allocate(byteCount: input.bytes.count, alignment: 16)
        input.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
    }

    deinit { buffer.deallocate() }

    func run(iterations: Int) throws -> Counts {
        var parser = RequestParser()
        var counts = Counts()
        let all = UnsafeRawBufferPointer(buffer)
        for _ in 0..<iterations {
            var start = 0
            while start < all.count {
                switch parser.next(UnsafeRawBufferPointer(rebasing: all[start...])) {
                case .needMore(let consumed):
                    guard consumed > 0 else { throw BenchmarkError("cathammer: incomplete request at byte \(start)") }
                    start += consumed
                case .head(let consumed):
                    counts.headerFields += parser.head.fields.count
                    start += consumed
                case .body(let range, let consumed):
                    counts.bodyBytes += range.count
                    start += consumed
                case .end(let consumed):
                    counts.requests += 1
                    start += consumed
                case .rejected(let violation):
                    throw BenchmarkError("cathammer rejected the input: \(violation)")
                }
            }
            // A request without a body ends only when asked again after its head.
            if case .end = parser.next(UnsafeRawBufferPointer(rebasing: all[start...])) { counts.requests += 1 }
        }
        return counts
    }
}
