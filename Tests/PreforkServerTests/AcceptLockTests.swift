import Glibc
import XCTest
@testable import PreforkServer

final class AcceptLockTests: XCTestCase {
    func testTheLockIsSharedThroughItsFileAndExclusive() throws {
        let lock = try AcceptLock()
        let other = try AcceptLock(fd: lock.fd)
        XCTAssertEqual(lock.tryLock(), .acquired)
        XCTAssertEqual(other.tryLock(), .busy, "another mapping sees it held")
        lock.unlock()
        XCTAssertEqual(other.tryLock(), .acquired)
        other.unlock()
    }

    func testADeadHolderIsRecoveredNotDeadlocked() throws {
        let lock = try AcceptLock()
        fflush(nil)
        let child = fork()
        if child == 0 {
            // Take the lock and die holding it, as a worker killed between accept calls would.
            _ = lock.tryLock()
            _exit(0)
        }
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(lock.tryLock(), .recovered)
        lock.unlock()
        XCTAssertEqual(lock.tryLock(), .acquired, "usable as usual afterwards")
        lock.unlock()
    }
}
