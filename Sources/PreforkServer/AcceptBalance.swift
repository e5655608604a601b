/// How `--accept exclusive` spreads long-lived connections over the workers. EPOLLEXCLUSIVE wakes
/// the first worker waiting in the listener's queue, so a burst of connections (h2load's 8, a
/// browser's or a proxy's pool) lands on whichever worker waits first, and with HTTP/2 or keep-alive
/// those connections stay: one worker's core then bounds the whole server (`make bench-server`'s
/// HTTP/2 run had 3.06 million streams on one worker and 0.82 million on the other). A worker that
/// holds more than its share stops watching the listeners for `pauseMilliseconds` after an accept,
/// so the connections that arrive meanwhile wake another worker.
struct AcceptBalance {
    static let pauseMilliseconds = 2

    /// The scoreboard slots of the other ready workers of this generation, found about once a
    /// second; their live connection counts are read at each accept (a few loads).
    private(set) var others: [ScoreboardSlot] = []

    mutating func setOthers(_ slots: [ScoreboardSlot]) { others = slots }

    func stepsBack(own: Int) -> Bool {
        guard !others.isEmpty else { return false }
        var total = own
        for slot in others { total += slot.load(.connections) }
        return Self.stepsBack(own: own, total: total, workers: others.count + 1)
    }

    /// Whether a worker holding `own` of `total` connections over `workers` workers holds more than
    /// its share. The margin (an eighth of the share, and half a connection) keeps a worker from
    /// re-registering on most accepts when connections come and go around the share (a new
    /// connection per request), where two epoll_ctl calls per connection would cost more than the
    /// spread is worth; with few connections it still steps back from the second one on.
    static func stepsBack(own: Int, total: Int, workers: Int) -> Bool {
        guard workers > 1 else { return false }
        let share = Double(total) / Double(workers)
        return Double(own) > share * 1.125 + 0.5
    }
}
