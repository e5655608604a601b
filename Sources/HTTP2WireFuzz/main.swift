// The in-process fuzzer for frames and HPACK. Built with `-sanitize=fuzzer -DFUZZING` (make fuzz-h2) it
// runs under libFuzzer; built plainly it replays the files and folders named on the command line
// (make test replays fuzz/h2-seeds and fuzz/h2-regressions).
#if FUZZING
import CFuzzerDriver
#endif
import FuzzReplay
@preconcurrency import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = FrameAndHPACKInvariants.check(bytes) {
        fputs("invariant broken: \(failure)\n", stderr)
        abort()
    }
    return 0
}

#if FUZZING
var arguments = CommandLine.arguments
var argc = CInt(arguments.count)
var cStrings = arguments.map { strdup($0) } + [nil]
cStrings.withUnsafeMutableBufferPointer { buffer in
    var argv = buffer.baseAddress
    _ = LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
#else
exit(Replay.run(paths: Array(CommandLine.arguments.dropFirst()), check: FrameAndHPACKInvariants.check))
#endif
