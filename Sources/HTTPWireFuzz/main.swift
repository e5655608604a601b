// The in-process parser fuzzer. Built with `-sanitize=fuzzer -DFUZZING` (make fuzz) it runs under
// libFuzzer; built plainly it replays the files and folders named on the command line (make test).
#if FUZZING
import CFuzzerDriver
#endif
@preconcurrency import Glibc
import FuzzReplay
import HTTPWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let failure = ParserInvariants.check(bytes) {
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
exit(Replay.run(paths: Array(CommandLine.arguments.dropFirst()), check: ParserInvariants.check))
#endif
