import CathammerContract
import CLinuxShim
import Glibc

/// Something that owns a file descriptor registered with an `EventLoop`.
protocol EventHandler: AnyObject {
    func handleEvents(_ events: UInt32, loop: EventLoop)
}

/// Something that owns deadlines. A deadline scheduled with an older generation is ignored, which
/// is how a timer is cancelled or moved.
protocol TimerHandler: AnyObject {
    var timerGeneration: UInt64 { get }
    func timerFired(loop: EventLoop)
}

/// A single-threaded epoll loop with timers: the worker's and the master's heart.
final class EventLoop {
    private let epollFD: Int32
    /// Indexed by fd. Each registration gets a token so an event queued for a closed fd is not
    /// delivered to a new connection that reused the number within the same epoll_wait batch.
    private var registrations: [(handler: EventHandler, token: UInt32, events: UInt32)?] = []
    private var nextToken: UInt32 = 0
    private var ready: [epoll_event]
    private var timers = TimerQueue<TimerHandler>()
    /// The queue's size at which cancelled entries are swept out: twice what the last sweep kept
    /// (at least 256), so each sweep removes at least half of what it walks and costs O(1) per
    /// schedule amortized.
    private var timerSweepSize = 256
    private var stopRequested = false
    /// Every return of epoll_wait (the scoreboard reports wakeups).
    private(set) var wakeups: UInt64 = 0
    /// Counts handler calls (events and timers): a session compares it to know that something it
    /// learned about its socket was learned in the call it is still in.
    private(set) var dispatches: UInt64 = 0
    /// Refreshed once per wakeup, so handlers can compare deadlines without a syscall each.
    private(set) var now: UInt64 = MonotonicClock.now()

    init(maxEventsPerWakeup: Int = 256) throws(SystemError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw SystemError("epoll_create1") }
        ready = [epoll_event](repeating: epoll_event(), count: maxEventsPerWakeup)
    }

    deinit { close(epollFD) }

    func register(_ fd: Int32, events: UInt32, handler: EventHandler) throws(SystemError) {
        nextToken &+= 1
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(UInt32(bitPattern: fd)) << 32 | UInt64(nextToken)
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else { throw SystemError("epoll_ctl(ADD, \(fd))") }
        if Int(fd) >= registrations.count {
            registrations.append(contentsOf: repeatElement(nil, count: Int(fd) - registrations.count + 64))
        }
        registrations[Int(fd)] = (handler, nextToken, events)
    }

    /// Watches `fd` for `events`: a new registration, or new events for the one it has (the
    /// handler stays the registered one). A connection calls it whenever what it waits for changes.
    func watch(_ fd: Int32, events: UInt32, handler: EventHandler) {
        if isRegistered(fd) {
            modify(fd, events: events)
        } else {
            try? register(fd, events: events, handler: handler)
        }
    }

    /// Changes the events of a registered fd; the same events again cost no system call (a session
    /// that took a connection over does not know what its predecessor watched).
    func modify(_ fd: Int32, events: UInt32) {
        guard let registration = registrations[Int(fd)], registration.events != events else { return }
        registrations[Int(fd)] = (registration.handler, registration.token, events)
        var event = epoll_event()
        event.events = events
        event.data.u64 = UInt64(UInt32(bitPattern: fd)) << 32 | UInt64(registration.token)
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Gives a registered fd a new handler, keeping its registration: the same interest, the same
    /// token (an event already queued for the fd goes to the new handler, which now owns it), and
    /// no EPOLL_CTL_DEL/ADD. Does nothing for an fd that is not registered.
    func replaceHandler(of fd: Int32, with handler: EventHandler) {
        guard Int(fd) < registrations.count, let registration = registrations[Int(fd)] else { return }
        registrations[Int(fd)] = (handler, registration.token, registration.events)
    }

    /// Stops watching `fd` (call before closing it).
    func unregister(_ fd: Int32) {
        guard Int(fd) < registrations.count, registrations[Int(fd)] != nil else { return }
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        registrations[Int(fd)] = nil
    }

    /// Drops the registration of an fd that is about to be closed (closing removes it from epoll).
    func forget(_ fd: Int32) {
        guard Int(fd) < registrations.count else { return }
        registrations[Int(fd)] = nil
    }

    func isRegistered(_ fd: Int32) -> Bool { Int(fd) < registrations.count && registrations[Int(fd)] != nil }

    func schedule(_ handler: TimerHandler, at deadline: UInt64) {
        if timers.count >= timerSweepSize {
            timers.removeStale { $0.owner.timerGeneration != $0.generation }
            timerSweepSize = max(256, 2 * timers.count)
        }
        timers.schedule(handler, at: deadline, generation: handler.timerGeneration)
    }

    func stop() { stopRequested = true }

    /// Runs until `stop()`; `afterEachWakeup` runs once per epoll_wait return (bookkeeping).
    func run(afterEachWakeup: () -> Void = {}) {
        stopRequested = false
        while !stopRequested {
            let count = epoll_wait(epollFD, &ready, Int32(ready.count), waitTimeout())
            wakeups &+= 1
            now = MonotonicClock.now()
            if count < 0 {
                guard errno == EINTR else { fatalError("epoll_wait: \(String(cString: strerror(errno)))") }
                continue
            }
            for index in 0..<Int(count) {
                let event = ready[index]
                let fd = Int(Int32(bitPattern: UInt32(truncatingIfNeeded: event.data.u64 >> 32)))
                let token = UInt32(truncatingIfNeeded: event.data.u64)
                guard fd < registrations.count, let registration = registrations[fd], registration.token == token else {
                    continue
                }
                dispatches &+= 1
                registration.handler.handleEvents(event.events, loop: self)
            }
            fireDueTimers()
            afterEachWakeup()
        }
    }

    private func fireDueTimers() {
        now = MonotonicClock.now()
        while let entry = timers.popDue(now: now) {
            if entry.owner.timerGeneration == entry.generation {
                dispatches &+= 1
                entry.owner.timerFired(loop: self)
            }
        }
    }

    private func waitTimeout() -> Int32 {
        guard let deadline = timers.earliestDeadline else { return -1 }
        let current = MonotonicClock.now()
        guard deadline > current else { return 0 }
        // Round up so a timer never fires a little early and costs a second wakeup.
        return Int32(min((deadline - current + 999_999) / 1_000_000, 60_000))
    }
}

/// A failed system call: what was attempted and errno's text.
struct SystemError: Error, CustomStringConvertible {
    var operation: String
    var code: Int32

    init(_ operation: String, code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }

    var description: String { "\(operation): \(String(cString: strerror(code)))" }
}
