#if canImport(Glibc)
import Glibc
#endif

/// `--h2-connections N`: every reader reads N connections per run instead of a calibrated number, so
/// that under callgrind both do the same work and their instruction counts compare directly.
let fixedConnections: Int? = CommandLine.arguments.firstIndex(of: "--h2-connections").flatMap {
    $0 + 1 < CommandLine.arguments.count ? Int(CommandLine.arguments[$0 + 1]) : nil
}

/// The HTTP/2 section: each input read as whole connections by every reader, runs interleaved, best
/// of `runs`; requests per second, the ratio, and heap allocations per request once warm.
func runH2Benchmark() {
    let readerTypes: [any H2ReaderAdapter.Type] = [HTTP2WireAdapter.self, NGHTTP2Adapter.self]

    func checkedRun(_ reader: any H2ReaderAdapter, _ input: H2Input, iterations: Int) throws {
        let counts = try reader.run(iterations: iterations)
        let expected = H2Counts(requests: input.requests * iterations, headerFields: input.headerFields * iterations)
        guard counts == expected else {
            throw BenchmarkError("\(type(of: reader).name) on \"\(input.name)\" over \(iterations) connections found \(counts), expected \(expected)")
        }
    }

    func calibrate(_ reader: any H2ReaderAdapter, _ input: H2Input) throws -> Int {
        var iterations = 1
        while true {
            let elapsed = try seconds { try checkedRun(reader, input, iterations: iterations) }
            if elapsed >= secondsPerRun / 4 { return max(1, Int((Double(iterations) * secondsPerRun / elapsed).rounded(.up))) }
            iterations *= elapsed < secondsPerRun / 64 ? 8 : 2
        }
    }

    print("\n## HTTP/2 frames + HPACK benchmark\n")
    print("A client's connection (preface, SETTINGS, 100 HEADERS frames of a browser's GET: 4 pseudo-headers and "
          + "15 fields with 3 cookie crumbs) read by HTTP2Wire's frame parser and HPACK decoder and by libnghttp2 "
          + "\(NGHTTP2Adapter.version)'s server session (HTTP messaging checks off), each connection from a fresh reader. "
          + "\"empty table\": every block starts with size updates to 0 and back, so each request is decoded as a "
          + "connection's first; \"indexing\": one encoder for the connection, every field indexed but :path. "
          + "Best of \(runs) runs of ≥\(fixed(secondsPerRun, 2)) s, interleaved\(quick ? " (--quick)" : ""); "
          + "allocations per request counted over requests 51–100 of a connection.\n")
    var rows: [[(requestsPerSecond: Double, allocations: Double)]] = []
    do {
        for input in h2Inputs {
            let readers = readerTypes.map { $0.init(input) }
            for reader in readers { try checkedRun(reader, input, iterations: 2) }
            let iterations = try fixedConnections.map { n in readers.map { _ in n } } ?? readers.map { try calibrate($0, input) }
            var best = Array(repeating: Double.infinity, count: readers.count)
            for _ in 0..<runs {
                for (index, reader) in readers.enumerated() {
                    let elapsed = try seconds { try checkedRun(reader, input, iterations: iterations[index]) }
                    best[index] = min(best[index], elapsed)
                }
            }
            let warmRequests = Double(input.requests - 50)
            rows.append(try readers.indices.map { index in
                (Double(iterations[index] * input.requests) / best[index],
                 Double(try readers[index].allocationsOnceWarm()) / warmRequests)
            })
        }
    } catch {
        fail("\(error)")
    }
    print("| input | bytes/request | reader | requests/s | allocations/request (warm) |")
    print("|---|---:|---|---:|---:|")
    for (input, row) in zip(h2Inputs, rows) {
        for (type, result) in zip(readerTypes, row) {
            print("| \(input.name) | \(grouped(input.bytes.count / input.requests)) | \(type.name) | "
                  + "\(grouped(Int(result.requestsPerSecond.rounded()))) | \(fixed(result.allocations, 2)) |")
        }
    }
    print("\n| input | cathammer / nghttp2 |")
    print("|---|---:|")
    for (input, row) in zip(h2Inputs, rows) {
        print("| \(input.name) | \(fixed(row[0].requestsPerSecond / row[1].requestsPerSecond, 2))× |")
    }
}
