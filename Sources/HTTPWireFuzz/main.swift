// The in-process parser fuzzer. Built with `-sanitize=fuzzer -DFUZZING` (make fuzz) it runs under
// libFuzzer; built plainly it replays the files and folders named on the command line (make test).
import FuzzReplay
import HTTPWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzEntry.testOne(data, size, check: ParserInvariants.check)
}

FuzzEntry.main(testOne: fuzzOneInput, check: ParserInvariants.check)
