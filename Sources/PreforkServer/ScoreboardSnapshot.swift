import CathammerContract

/// The master's books and its workers' scoreboard slots, as the stats contract's snapshot.
extension StatsSnapshot {
    init(masterPID: Int32, listen: String, listeners: String = "", configuredWorkers: Int, listenQueue: Int, listenBacklog: Int,
         reloads: Int, failedReloads: Int, recycles: Int, harakiriKills: Int, forcedKills: Int, respawns: Int,
         ticketKeyRotations: Int = 0, h2MaxStreamsPerConnection: Int = 0, uptimeSeconds: Double, workers: [WorkerRow]) {
        var master = Master()
        master.pid = Int(masterPID)
        master.listen = listen
        master.listeners = listeners
        master.ticketKeyRotations = ticketKeyRotations
        master.h2MaxStreamsPerConnection = h2MaxStreamsPerConnection
        master.workersConfigured = configuredWorkers
        master.listenQueue = listenQueue
        master.listenBacklog = listenBacklog
        master.reloads = reloads
        master.failedReloads = failedReloads
        master.recycles = recycles
        master.harakiriKills = harakiriKills
        master.forcedKills = forcedKills
        master.respawns = respawns
        master.uptimeSeconds = Int(uptimeSeconds)
        self.init(master: master, workers: workers)
    }
}

extension StatsSnapshot.WorkerRow {
    init(values: [Scoreboard.Field: Int], state: WorkerState, busyMilliseconds: Int) {
        self.init()
        self.state = state.name
        self.busyMilliseconds = busyMilliseconds
        for field in Scoreboard.Field.allCases {
            guard let counter = Self.counter(field) else { continue }
            self[keyPath: counter] = values[field] ?? 0
        }
    }

    /// Exhaustive, so a new scoreboard field cannot be left out of the stats without a decision.
    static func counter(_ field: Scoreboard.Field) -> WritableKeyPath<Self, Int>? {
        switch field {
        // Served as `state` and `busy_ms`; the start time only makes sense on the master's clock.
        case .state, .busySince, .startedAt: return nil
        case .pid: return \.pid
        case .generation: return \.generation
        case .requests: return \.requests
        case .connections: return \.connections
        case .wakeups: return \.epollWakeups
        case .listenerWakeups: return \.listenerWakeups
        case .accepts: return \.accepts
        case .emptyAccepts: return \.eagainAccepts
        case .rejections: return \.rejections
        case .voluntaryContextSwitches: return \.voluntaryContextSwitches
        case .rssBytes: return \.rssBytes
        case .respawns: return \.respawns
        case .slotID: return \.id
        case .lockContended: return \.acceptLockContended
        case .acceptPauses: return \.acceptPauses
        case .h2Connections: return \.h2Connections
        case .h2OpenStreams: return \.h2OpenStreams
        case .h2Streams: return \.h2Streams
        case .h2MalformedRequests: return \.h2MalformedRequests
        case .h2ConnectionErrors: return \.h2ConnectionErrors
        case .h2RapidResets: return \.h2RapidResets
        case .h2ContinuationFloods: return \.h2ContinuationFloods
        case .h2HpackBombs: return \.h2HpackBombs
        case .h2SettingsFloods: return \.h2SettingsFloods
        case .h2PingFloods: return \.h2PingFloods
        case .h2EmptyFrameFloods: return \.h2EmptyFrameFloods
        case .h2WindowUpdateFloods: return \.h2WindowUpdateFloods
        case .h2PriorityFloods: return \.h2PriorityFloods
        case .h2SlowReads: return \.h2SlowReads
        case .h2SettingsTimeouts: return \.h2SettingsTimeouts
        case .h2StreamLimits: return \.h2StreamLimits
        case .tlsHandshakes: return \.tlsHandshakes
        case .tlsResumed: return \.tlsResumed
        case .tlsHandshakeTimeouts: return \.tlsHandshakeTimeouts
        case .tlsGarbage: return \.tlsGarbage
        case .tlsPlainHTTP: return \.tlsPlainHTTP
        case .tlsHandshakeFailures: return \.tlsHandshakeFailures
        case .tlsALPNRefused: return \.tlsALPNRefused
        case .tlsAlertsReceived: return \.tlsAlertsReceived
        case .tlsRenegotiationsRefused: return \.tlsRenegotiationsRefused
        case .tlsFilesKernel: return \.tlsFilesKTLS
        case .tlsFilesBuffered: return \.tlsFilesBuffered
        }
    }
}
