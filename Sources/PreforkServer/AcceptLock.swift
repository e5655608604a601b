import CLinuxShim
import Glibc

/// `--accept lock`: a robust, process-shared mutex in shared memory around accept(), so one worker
/// at a time takes connections from the listener. If the holder dies with the lock held, the next
/// worker to take it recovers it (EOWNERDEAD → pthread_mutex_consistent) instead of deadlocking.
final class AcceptLock {
    enum Attempt: Equatable {
        case acquired
        /// The previous holder died holding it; the state it protected (nothing but the right to
        /// accept) is consistent again.
        case recovered
        case busy
    }

    let fd: Int32
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Creates and initializes the lock (master side).
    convenience init() throws(SystemError) {
        let created = linux_memfd_create("cathammer-accept-lock", LINUX_MFD_CLOEXEC)
        guard created >= 0 else { throw SystemError("memfd_create") }
        let fd = Master.moveAbove(created, Master.inheritedDescriptorFloor)
        guard ftruncate(fd, off_t(MemoryLayout<pthread_mutex_t>.size)) == 0 else { throw SystemError("ftruncate") }
        try self.init(fd: fd)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        defer { pthread_mutexattr_destroy(&attributes) }
        pthread_mutexattr_setpshared(&attributes, Int32(PTHREAD_PROCESS_SHARED))
        pthread_mutexattr_setrobust(&attributes, Int32(PTHREAD_MUTEX_ROBUST))
        guard pthread_mutex_init(mutex, &attributes) == 0 else { throw SystemError("pthread_mutex_init") }
    }

    /// Maps the lock handed over at spawn (worker side).
    init(fd: Int32) throws(SystemError) {
        self.fd = fd
        guard let raw = mmap(nil, MemoryLayout<pthread_mutex_t>.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1)
        else { throw SystemError("mmap") }
        mutex = raw.bindMemory(to: pthread_mutex_t.self, capacity: 1)
    }

    /// Never blocks: a worker serving connections cannot wait for the lock.
    func tryLock() -> Attempt {
        switch pthread_mutex_trylock(mutex) {
        case 0: return .acquired
        case EOWNERDEAD:
            pthread_mutex_consistent(mutex)
            return .recovered
        default: return .busy
        }
    }

    func unlock() { pthread_mutex_unlock(mutex) }
}
