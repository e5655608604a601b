import CathammerContract
import CLinuxShim
import Glibc
import Synchronization

enum WorkerState: Int, CaseIterable {
    case empty = 0, starting, ready, retiring, exited

    var name: String {
        switch self {
        case .empty: return "empty"
        case .starting: return "starting"
        case .ready: return "ready"
        case .retiring: return "retiring"
        case .exited: return "exited"
        }
    }
}

/// Per-worker counters in shared memory: each worker writes its own slot, the master reads them all
/// to serve stats. The memory is a memfd handed to workers at spawn (exec drops anonymous mappings).
final class Scoreboard {
    enum Field: Int, CaseIterable {
        case pid, generation, state, requests, busySince, connections, wakeups, listenerWakeups
        case accepts, emptyAccepts, rejections, voluntaryContextSwitches, rssBytes, startedAt, respawns, slotID
        case lockContended, acceptPauses
        // HTTP/2: gauges, then counters (HTTP2Counter).
        case h2Connections, h2OpenStreams, h2Streams, h2MalformedRequests, h2ConnectionErrors
        case h2RapidResets, h2ContinuationFloods, h2HpackBombs, h2SettingsFloods, h2PingFloods, h2EmptyFrameFloods
        case h2WindowUpdateFloods, h2PriorityFloods, h2SlowReads, h2SettingsTimeouts, h2StreamLimits
        // TLS: completed and resumed handshakes, each refusal by reason, alerts and renegotiations
        // from clients, and how static files went out (SSL_sendfile on kTLS, or read and SSL_write).
        case tlsHandshakes, tlsResumed, tlsHandshakeTimeouts, tlsGarbage, tlsPlainHTTP, tlsHandshakeFailures
        case tlsALPNRefused, tlsAlertsReceived, tlsRenegotiationsRefused, tlsFilesKernel, tlsFilesBuffered
    }

    /// Room for counters to come without changing the layout (a re-executed master maps the
    /// scoreboard its predecessor created, so the stride must not change between images).
    static let fieldsPerSlot = 64
    let fd: Int32
    let slotCount: Int
    private let memory: UnsafeMutablePointer<Atomic<Int>>

    /// Creates the shared memory (master side).
    convenience init(slots: Int) throws(SystemError) {
        let bytes = max(1, slots) * Self.fieldsPerSlot * MemoryLayout<Int>.stride
        let created = linux_memfd_create("cathammer-scoreboard", LINUX_MFD_CLOEXEC)
        guard created >= 0 else { throw SystemError("memfd_create") }
        let fd = Master.moveAbove(created, Master.inheritedDescriptorFloor)
        guard ftruncate(fd, off_t(bytes)) == 0 else { throw SystemError("ftruncate") }
        try self.init(fd: fd, slots: slots)
        for index in 0..<(slotCount * Self.fieldsPerSlot) { (memory + index).initialize(to: Atomic(0)) }
    }

    /// Maps an existing scoreboard (worker side, from the inherited fd).
    init(fd: Int32, slots: Int) throws(SystemError) {
        self.fd = fd
        slotCount = max(1, slots)
        let bytes = slotCount * Self.fieldsPerSlot * MemoryLayout<Int>.stride
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
              raw != UnsafeMutableRawPointer(bitPattern: -1)
        else { throw SystemError("mmap") }
        memory = raw.bindMemory(to: Atomic<Int>.self, capacity: slotCount * Self.fieldsPerSlot)
    }

    func slot(_ index: Int) -> ScoreboardSlot {
        precondition(index >= 0 && index < slotCount, "scoreboard slot \(index) of \(slotCount)")
        return ScoreboardSlot(base: memory + index * Self.fieldsPerSlot)
    }
}

/// One worker's slot. Relaxed atomics: each field is written by one process and only read elsewhere.
struct ScoreboardSlot {
    let base: UnsafeMutablePointer<Atomic<Int>>

    func load(_ field: Scoreboard.Field) -> Int { base[field.rawValue].load(ordering: .relaxed) }
    func store(_ field: Scoreboard.Field, _ value: Int) { base[field.rawValue].store(value, ordering: .relaxed) }
    func add(_ field: Scoreboard.Field, _ value: Int = 1) { base[field.rawValue].wrappingAdd(value, ordering: .relaxed) }

    var state: WorkerState { WorkerState(rawValue: load(.state)) ?? .empty }
    func setState(_ state: WorkerState) { store(.state, state.rawValue) }

    /// The master hands the slot to a worker it is about to spawn. Everything the slot's previous
    /// worker left is cleared first: a worker killed mid-request (harakiri) leaves its busy clock
    /// running, and the watchdog read it as the new worker's until that worker's `begin`, so on a busy
    /// machine, where starting takes longer than a watchdog tick, it killed each replacement in turn.
    func assign(slotID: Int, generation: Int, respawns: Int) {
        for field in Scoreboard.Field.allCases { store(field, 0) }
        store(.slotID, slotID)
        store(.generation, generation)
        store(.respawns, respawns)
        setState(.starting)
    }

    /// A new worker takes the slot: counters start from zero, respawns are the master's to keep.
    func begin(pid: pid_t, generation: Int) {
        for field in Scoreboard.Field.allCases where field != .respawns && field != .slotID {
            store(field, 0)
        }
        store(.pid, Int(pid))
        store(.generation, generation)
        store(.startedAt, Int(MonotonicClock.now()))
        setState(.ready)
    }

    func noteListenerWakeup() { add(.listenerWakeups) }
    func noteAccept() { add(.accepts) }
    func noteEmptyAccept() { add(.emptyAccepts) }
    /// Out of descriptors (EMFILE and friends): accepting paused for a moment.
    func noteAcceptPause() { add(.acceptPauses) }
    func noteRejection() { add(.rejections) }
    func requestStarted() { store(.busySince, Int(MonotonicClock.now())) }
    func requestFinished() {
        add(.requests)
        store(.busySince, 0)
    }

    /// Once per loop wakeup: cheap counters always, resource usage at most once per second.
    func update(wakeups: UInt64, connections: Int, sampleResources: Bool) {
        store(.wakeups, Int(truncatingIfNeeded: wakeups))
        store(.connections, connections)
        guard sampleResources else { return }
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        store(.voluntaryContextSwitches, usage.ru_nvcsw)
        store(.rssBytes, Self.residentBytes())
    }

    /// Current RSS from /proc/self/statm (getrusage only reports the peak): its second number, in
    /// pages. Read with open/read into a stack buffer and parsed by hand: with stdio and String this
    /// once-a-second sample cost ~76,000 instructions (callgrind, `make bench-cpu`).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { buffer in
            let count = read(fd, buffer.baseAddress, buffer.count)
            guard count > 0 else { return 0 }
            return StatmLine.residentPages(UnsafeBufferPointer(rebasing: buffer[..<count])) * sysconf(Int32(_SC_PAGESIZE))
        }
    }
}

/// `/proc/PID/statm`: "size resident shared text lib data dt", in pages.
enum StatmLine {
    /// The second number; 0 when the line does not have one.
    static func residentPages(_ line: UnsafeBufferPointer<UInt8>) -> Int {
        var index = 0
        while index < line.count && line[index] != 0x20 { index += 1 }
        index += 1
        var pages = 0
        var digits = 0
        while index < line.count, line[index] >= 0x30, line[index] <= 0x39, digits < 18 {
            pages = pages * 10 + Int(line[index] - 0x30)
            digits += 1
            index += 1
        }
        return pages
    }
}
