import HTTP2Wire

/// The floods a connection is ended for, each counted in the worker's stats.
enum HTTP2Flood: CaseIterable, Equatable, Sendable {
    case rapidReset, continuation, hpackBomb, settings, ping, emptyFrames, windowUpdate, priority
    /// A peer that stopped reading: output past the connection's bound, or the write timeout.
    case slowRead
    /// The peer never acknowledged our SETTINGS.
    case settingsTimeout
    /// Streams per connection spent, or stream ids exhausted: a graceful GOAWAY, not a punishment.
    case streamLimit

    /// The GOAWAY code the connection ends with.
    var errorCode: HTTP2ErrorCode {
        switch self {
        case .settingsTimeout: return .settingsTimeout
        case .streamLimit: return .noError
        default: return .enhanceYourCalm
        }
    }
}


/// The budgets of one connection, spent frame by frame.
struct HTTP2FloodGuard: Equatable, Sendable {
    private var earlyResets: HTTP2FloodBudget
    private var settings: HTTP2FloodBudget
    private var pings: HTTP2FloodBudget
    private var windowUpdates: HTTP2FloodBudget
    private var priorities: HTTP2FloodBudget
    private var emptyFrames: HTTP2FloodBudget

    init(_ limits: HTTP2ServerLimits) {
        earlyResets = limits.earlyResets
        settings = limits.settingsFrames
        pings = limits.pingFrames
        windowUpdates = limits.windowUpdateFrames
        priorities = limits.priorityFrames
        emptyFrames = limits.emptyFrames
    }

    /// Charges one frame of a flood-prone kind; returns the flood when the budget is spent.
    mutating func charge(_ kind: HTTP2Flood, now: UInt64) -> HTTP2Flood? {
        let allowed: Bool
        switch kind {
        case .rapidReset: allowed = earlyResets.spend(now: now)
        case .settings: allowed = settings.spend(now: now)
        case .ping: allowed = pings.spend(now: now)
        case .windowUpdate: allowed = windowUpdates.spend(now: now)
        case .priority: allowed = priorities.spend(now: now)
        case .emptyFrames: allowed = emptyFrames.spend(now: now)
        case .continuation, .hpackBomb, .slowRead, .settingsTimeout, .streamLimit:
            // Judged by size, count or time where they happen, not by a rate.
            allowed = true
        }
        return allowed ? nil : kind
    }

    /// A DATA frame went out: the two WINDOW_UPDATEs it earns (connection and stream) are not a flood.
    mutating func dataFrameSent() { windowUpdates.credit(2) }
}
