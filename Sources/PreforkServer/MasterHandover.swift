/// What a master hands to its re-executed image (SIGUSR2): the descriptors that survive execve
/// (listeners, scoreboard, session-ticket keys, stats listener, one control channel per worker) and
/// its books, so the new image adopts the running workers instead of starting from nothing. Passed
/// in one environment variable (descriptor numbers, never key material); the new image removes it
/// before spawning anyone.
struct MasterHandover: Equatable {
    static let environmentKey = "CATHAMMER_MASTER_HANDOVER"

    struct AdoptedListener: Equatable {
        var fd: Int32
        var scheme: RequestScheme
    }

    struct AdoptedWorker: Equatable {
        var slot: Int
        var pid: Int32
        var generation: Int
        var state: WorkerTable.SlotState
        var controlFD: Int32
        var scoreboardIndex: Int
        var spawnedAt: UInt64
    }

    /// The first is the one every image handed over as `listener`; an image that knew of one listener
    /// only hands over that one, as http.
    var listeners: [AdoptedListener]
    var scoreboardFD: Int32
    var ticketKeysFD: Int32? = nil
    var statsFD: Int32?
    var acceptLockFD: Int32? = nil
    var generation: Int
    var processes: Int
    var counters: [String: Int]
    var respawnCounts: [Int: Int]
    var workers: [AdoptedWorker]

    func encoded() -> String {
        var head = "listener=\(listeners[0].fd),scoreboard=\(scoreboardFD),generation=\(generation),processes=\(processes)"
        for (index, listener) in listeners.enumerated().dropFirst() { head += ",listener\(index)=\(listener.fd)" }
        // Bit i set: listener i is https.
        let https = listeners.enumerated().reduce(0) { $0 | ($1.element.scheme == .https ? 1 << $1.offset : 0) }
        if https != 0 { head += ",https=\(https)" }
        if let ticketKeysFD { head += ",ticketkeys=\(ticketKeysFD)" }
        if let statsFD { head += ",stats=\(statsFD)" }
        if let acceptLockFD { head += ",acceptlock=\(acceptLockFD)" }
        for (name, value) in counters.sorted(by: { $0.key < $1.key }) { head += ",\(name)=\(value)" }
        for (slot, count) in respawnCounts.sorted(by: { $0.key < $1.key }) { head += ",respawns\(slot)=\(count)" }
        let rows = workers.map {
            "worker=\($0.slot):\($0.pid):\($0.generation):\(Self.name($0.state)):\($0.controlFD):\($0.scoreboardIndex):\($0.spawnedAt)"
        }
        return ([head] + rows).joined(separator: ";")
    }

    static func decode(_ text: String) -> MasterHandover? {
        let parts = text.split(separator: ";").map(String.init)
        guard let head = parts.first else { return nil }
        var values: [String: Int] = [:]
        for pair in head.split(separator: ",") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            guard keyValue.count == 2, let value = Int(keyValue[1]) else { return nil }
            values[String(keyValue[0])] = value
        }
        guard let listener = values.removeValue(forKey: "listener"), let scoreboard = values.removeValue(forKey: "scoreboard"),
              let generation = values.removeValue(forKey: "generation"), let processes = values.removeValue(forKey: "processes")
        else { return nil }
        let stats = values.removeValue(forKey: "stats")
        let acceptLock = values.removeValue(forKey: "acceptlock")
        let ticketKeys = values.removeValue(forKey: "ticketkeys")
        let https = values.removeValue(forKey: "https") ?? 0
        var listenerFDs = [listener]
        while let next = values.removeValue(forKey: "listener\(listenerFDs.count)") { listenerFDs.append(next) }
        let listeners = listenerFDs.enumerated().map { index, fd in
            AdoptedListener(fd: Int32(fd), scheme: https & (1 << index) != 0 ? .https : .http)
        }
        var respawns: [Int: Int] = [:]
        for key in values.keys where key.hasPrefix("respawns") {
            if let slot = Int(key.dropFirst("respawns".count)) { respawns[slot] = values.removeValue(forKey: key) }
        }
        var workers: [AdoptedWorker] = []
        for row in parts.dropFirst() {
            guard row.hasPrefix("worker=") else { return nil }
            let fields = row.dropFirst("worker=".count).split(separator: ":").map(String.init)
            guard fields.count == 7, let slot = Int(fields[0]), let pid = Int32(fields[1]), let generation = Int(fields[2]),
                  let state = state(named: fields[3]), let control = Int32(fields[4]), let index = Int(fields[5]),
                  let spawnedAt = UInt64(fields[6])
            else { return nil }
            workers.append(AdoptedWorker(slot: slot, pid: pid, generation: generation, state: state, controlFD: control,
                                         scoreboardIndex: index, spawnedAt: spawnedAt))
        }
        return MasterHandover(listeners: listeners, scoreboardFD: Int32(scoreboard), ticketKeysFD: ticketKeys.map(Int32.init),
                              statsFD: stats.map(Int32.init), acceptLockFD: acceptLock.map(Int32.init), generation: generation,
                              processes: processes, counters: values, respawnCounts: respawns, workers: workers)
    }

    private static func name(_ state: WorkerTable.SlotState) -> String {
        switch state {
        case .starting: return "starting"
        case .ready: return "ready"
        case .retiring: return "retiring"
        }
    }

    private static func state(named name: String) -> WorkerTable.SlotState? {
        switch name {
        case "starting": return .starting
        case "ready": return .ready
        case "retiring": return .retiring
        default: return nil
        }
    }
}
