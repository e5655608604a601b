// The in-process fuzzer for frames and HPACK. Built with `-sanitize=fuzzer -DFUZZING` (make fuzz-h2) it
// runs under libFuzzer; built plainly it replays the files and folders named on the command line
// (make test replays fuzz/h2-seeds and fuzz/h2-regressions).
import FuzzReplay

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.testOne(data, size, check: FrameAndHPACKInvariants.check)
}

FuzzEntry.main(testOne: fuzzOneInput, check: FrameAndHPACKInvariants.check)
