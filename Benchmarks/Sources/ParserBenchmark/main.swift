// Parser benchmark: cathammer's HTTPWire.RequestParser against SwiftNIO's HTTPRequestDecoder and
// nodejs/http-parser on identical bytes; then HTTP2Wire's frame parser and HPACK decoder against libnghttp2
// (H2Benchmark.swift). Prints Markdown tables; `--quick` does fewer, shorter runs; `--only h1|h2` one section.
import CAllocationCounter
#if canImport(Glibc)
import Glibc
#endif

/// What a parser found; checked against the input, and summed so the work cannot be optimized away.
struct Counts: Equatable {
    var requests = 0
    var headerFields = 0
    var bodyBytes = 0
}

protocol ParserAdapter: AnyObject {
    static var name: String { get }
    init(_ input: Input)
    /// Parses the input's buffer `iterations` times back to back, as one connection would.
    func run(iterations: Int) throws -> Counts
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func fail(_ message: String) -> Never {
    let line = "ParserBenchmark: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

let quick = CommandLine.arguments.contains("--quick")
let onlySection: String? = CommandLine.arguments.firstIndex(of: "--only").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
let runs = quick ? 2 : 7
let secondsPerRun = quick ? 0.05 : 0.4
let adapterTypes: [any ParserAdapter.Type] = [CathammerAdapter.self, NIOAdapter.self, HTTPParserAdapter.self]

func seconds(_ body: () throws -> Void) rethrows -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    try body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
}

/// Runs `iterations` buffers and checks that every request, field and body byte was seen.
@discardableResult
func checkedRun(_ adapter: any ParserAdapter, _ input: Input, iterations: Int) throws -> Counts {
    let counts = try adapter.run(iterations: iterations)
    let expected = Counts(requests: input.requests * iterations, headerFields: input.headerFields * iterations,
                          bodyBytes: input.bodyBytes * iterations)
    guard counts == expected else {
        throw BenchmarkError("\(type(of: adapter).name) on \"\(input.name)\" over \(iterations) buffers found \(counts), expected \(expected)")
    }
    return counts
}

/// Doubles the iteration count until a run takes a noticeable time (which also warms up), then scales it to `target`.
func calibrate(_ adapter: any ParserAdapter, _ input: Input, target: Double) throws -> Int {
    var iterations = 1
    while true {
        let elapsed = try seconds { try checkedRun(adapter, input, iterations: iterations) }
        if elapsed >= target / 4 { return max(1, Int((Double(iterations) * target / elapsed).rounded(.up))) }
        iterations *= elapsed < target / 64 ? 8 : 2
    }
}

/// Heap allocations per request, without the run's fixed costs (a parser, a channel): 2k buffers minus k buffers.
func allocationsPerRequest(_ adapter: any ParserAdapter, _ input: Input) throws -> Double {
    let k = max(10, 1000 / input.requests)
    func count(_ iterations: Int) throws -> Int {
        allocation_counter_start()
        _ = try adapter.run(iterations: iterations)
        return allocation_counter_stop()
    }
    let once = try count(k), twice = try count(2 * k)
    return Double(twice - once) / Double(k * input.requests)
}

// MARK: - Formatting without Foundation

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = grouped(scaled / Int(scale))
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard digits > 0 else { return sign + whole }
    let fraction = String(scaled % Int(scale))
    return sign + whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

func grouped(_ value: Int) -> String {
    let digits = Array(String(value))
    var out = ""
    for (index, digit) in digits.enumerated() {
        if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
        out.append(digit)
    }
    return out
}

// MARK: - Run

struct Result {
    let requestsPerSecond: Double
    let megabytesPerSecond: Double
    let allocationsPerRequest: Double
}

if onlySection != "h2" {
    print("## HTTP/1.1 request parser benchmark\n")
    print("Best of \(runs) runs of ≥\(fixed(secondsPerRun, 2)) s per parser and input\(quick ? " (--quick)" : ""), "
          + "runs of the three parsers interleaved; http-parser \(HTTPParserAdapter.version). "
          + "MB/s counts input bytes (10^6 bytes/s); a ratio above 1 means cathammer is faster.\n")

    var results: [[Result]] = []
    do {
        for input in inputs {
            let adapters = adapterTypes.map { $0.init(input) }
            for adapter in adapters {
                try checkedRun(adapter, input, iterations: 1)
                try checkedRun(adapter, input, iterations: 3)
            }
            let iterations = try adapters.map { try calibrate($0, input, target: secondsPerRun) }
            var best = Array(repeating: Double.infinity, count: adapters.count)
            for _ in 0..<runs {
                for (index, adapter) in adapters.enumerated() {
                    let elapsed = try seconds { try checkedRun(adapter, input, iterations: iterations[index]) }
                    best[index] = min(best[index], elapsed)
                }
            }
            results.append(try adapters.indices.map { index in
                let buffers = Double(iterations[index])
                return Result(
                    requestsPerSecond: buffers * Double(input.requests) / best[index],
                    megabytesPerSecond: buffers * Double(input.bytes.count) / best[index] / 1e6,
                    allocationsPerRequest: try allocationsPerRequest(adapters[index], input))
            })
        }
    } catch {
        fail("\(error)")
    }

    print("| input | bytes/request | parser | requests/s | MB/s | allocations/request |")
    print("|---|---:|---|---:|---:|---:|")
    for (input, row) in zip(inputs, results) {
        for (type, result) in zip(adapterTypes, row) {
            print("| \(input.name) | \(grouped(input.bytes.count / input.requests)) | \(type.name) | "
                  + "\(grouped(Int(result.requestsPerSecond.rounded()))) | \(fixed(result.megabytesPerSecond, 1)) | "
                  + "\(fixed(result.allocationsPerRequest, 2)) |")
        }
    }
    print("\n| input | cathammer / NIO | cathammer / http-parser |")
    print("|---|---:|---:|")
    for (input, row) in zip(inputs, results) {
        let ours = row[0].requestsPerSecond
        print("| \(input.name) | \(fixed(ours / row[1].requestsPerSecond, 2))× | \(fixed(ours / row[2].requestsPerSecond, 2))× |")
    }
}

if onlySection != "h1" {
    runH2Benchmark()
}
