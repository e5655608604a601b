/// A token bucket for one kind of frame a peer may send only so often: `burst` at once, then
/// `perSecond` more each second. A spend that finds the bucket empty is the flood; the connection
/// answers GOAWAY ENHANCE_YOUR_CALM (RFC 9113 §10.5). Pure: time comes in as an argument.
struct HTTP2FloodBudget: Equatable, Sendable {
    let burst: Int
    let perSecond: Int
    private var tokens: Int
    private var refilledAt: UInt64?

    init(burst: Int, perSecond: Int) {
        precondition(burst > 0 && perSecond >= 0, "a flood budget needs a burst")
        self.burst = burst
        self.perSecond = perSecond
        tokens = burst
    }

    /// Takes one token at `now` (nanoseconds); false when none is left.
    mutating func spend(now: UInt64) -> Bool {
        refill(now: now)
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }

    /// Gives `count` tokens back (never above the burst): legitimate traffic that earns more frames,
    /// e.g. a DATA frame sent earns its WINDOW_UPDATE.
    mutating func credit(_ count: Int = 1) { tokens = min(burst, tokens + count) }

    var remaining: Int { tokens }

    private mutating func refill(now: UInt64) {
        guard let last = refilledAt else {
            refilledAt = now
            return
        }
        guard now > last, perSecond > 0 else { return }
        let earned = Int((now - last) / 1_000_000_000) * perSecond
            + Int((now - last) % 1_000_000_000) * perSecond / 1_000_000_000
        guard earned > 0 else { return }
        tokens = min(burst, tokens + earned)
        // Keep the fraction of a token not yet earned.
        refilledAt = last + UInt64(earned) * 1_000_000_000 / UInt64(perSecond)
    }
}
