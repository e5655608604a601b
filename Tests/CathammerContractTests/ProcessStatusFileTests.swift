import CathammerContract
import Glibc
import XCTest

final class ProcessStatusFileTests: XCTestCase {
    /// This thread's view: a process's status file shows its main thread only, and XCTest may run
    /// the test on another.
    private func threadStatus() throws -> ProcessStatusFile {
        ProcessStatusFile(text: try XCTUnwrap(ProcFile.read("/proc/thread-self/status")))
    }

    func testOwnProcess() throws {
        let status = try XCTUnwrap(ProcessStatusFile.read(pid: getpid()))
        XCTAssertEqual(status.number("Pid"), Int(getpid()))
        XCTAssertGreaterThan(status.residentBytes, 1_000_000, "a test process holds more than a megabyte")
        XCTAssertEqual(status.residentBytes % 1024, 0, "VmRSS is in kB")
    }

    func testEverySleepIsAVoluntaryContextSwitch() throws {
        let before = try threadStatus().voluntaryContextSwitches
        for _ in 0..<3 { usleep(5_000) }
        XCTAssertGreaterThanOrEqual(try threadStatus().voluntaryContextSwitches, before + 3)
    }

    func testSignalMasksFollowSigprocmask() throws {
        let usr2: UInt64 = 1 << (UInt64(SIGUSR2) - 1)
        XCTAssertEqual(try XCTUnwrap(try threadStatus().signalMask("SigBlk")) & usr2, 0)
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        let mask = try XCTUnwrap(try threadStatus().signalMask("SigBlk"))
        XCTAssertEqual(mask & usr2, usr2)
    }

    func testParsesTheKernelsLineFormat() {
        let status = ProcessStatusFile(text: "Name:\tcathammer\nVmRSS:\t    4212 kB\nvoluntary_ctxt_switches:\t42\nSigIgn:\t0000000000001000\nbroken line\n")
        XCTAssertEqual(status.value("Name"), "cathammer")
        XCTAssertEqual(status.value("VmRSS"), "4212 kB")
        XCTAssertEqual(status.residentBytes, 4212 * 1024)
        XCTAssertEqual(status.voluntaryContextSwitches, 42)
        XCTAssertEqual(status.signalMask("SigIgn"), 1 << (UInt64(SIGPIPE) - 1))
        XCTAssertNil(status.value("broken line"))
        XCTAssertNil(status.number("Name"))
    }

    func testMissingFieldsAndProcesses() {
        let zombie = ProcessStatusFile(text: "Name:\tgone\nState:\tZ (zombie)\n")
        XCTAssertEqual(zombie.residentBytes, 0)
        XCTAssertEqual(zombie.voluntaryContextSwitches, 0)
        XCTAssertNil(zombie.signalMask("SigBlk"))
        XCTAssertNil(ProcessStatusFile.read(pid: 0))
        XCTAssertNil(ProcessStatusFile.read(pid: Int32.max), "pid_max is far below Int32.max")
    }
}
