#if FUZZING
import CFuzzerDriver
#endif
@preconcurrency import Glibc

/// The entry of an in-process fuzzer, shared by HTTPWireFuzz and HTTP2WireFuzz. Built with
/// `-sanitize=fuzzer -DFUZZING` (make fuzz, fuzz/build.sh) the command line goes to libFuzzer; built
/// plainly the files and folders it names are replayed through the same invariants (make test).
public enum FuzzEntry {
    /// One input through `check`: a broken invariant aborts, which libFuzzer records as a crash.
    public static func testOne(_ data: UnsafePointer<UInt8>?, _ size: Int, check: ([UInt8]) -> String?) -> CInt {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        if let failure = check(bytes) {
            fputs("invariant broken: \(failure)\n", stderr)
            abort()
        }
        return 0
    }

    /// Runs the fuzzer or the replay. `testOne` is the executable's `LLVMFuzzerTestOneInput`: libFuzzer
    /// takes a C function, which cannot capture `check`.
    public static func main(testOne: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt,
                            check: ([UInt8]) -> String?) -> Never {
        #if FUZZING
        var argc = CInt(CommandLine.arguments.count)
        var cStrings = CommandLine.arguments.map { strdup($0) } + [nil]
        cStrings.withUnsafeMutableBufferPointer { buffer in
            var argv = buffer.baseAddress
            _ = LLVMFuzzerRunDriver(&argc, &argv, testOne)
        }
        exit(0)
        #else
        exit(Replay.run(paths: Array(CommandLine.arguments.dropFirst()), check: check))
        #endif
    }
}
