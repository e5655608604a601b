import CathammerContract
import Synchronization

/// Hands out the right to send a request: at most `maxRequests`, none after `deadline` or `stop()`,
/// and with a `rate` no faster than that many per second overall (open-loop schedule: request n is
/// due at start + n / rate, whoever sends it).
public final class RequestBudget: Sendable {
    public enum Grant: Equatable {
        /// Send; `first` is the index of the first of the granted requests.
        case granted(first: Int)
        /// Not yet due (rate mode); ask again at `at` (monotonic ns).
        case notYet(at: UInt64)
        case exhausted
    }

    let start: UInt64
    let deadline: UInt64
    let maxRequests: Int?
    let rate: Double?
    private let state = Mutex<(issued: Int, stopped: Bool)>((0, false))

    public init(start: UInt64, duration: Double, maxRequests: Int?, rate: Double?) {
        self.start = start
        deadline = start + UInt64(max(0, duration) * 1e9)
        self.maxRequests = maxRequests
        self.rate = rate
    }

    public func stop() { state.withLock { $0.stopped = true } }
    public var stopped: Bool { state.withLock { $0.stopped } }
    public var issued: Int { state.withLock { $0.issued } }

    /// No request will be granted any more: stopped, past the deadline, or the count is reached.
    public var exhausted: Bool {
        state.withLock { state in
            state.stopped || MonotonicClock.now() >= deadline || (maxRequests.map { state.issued >= $0 } ?? false)
        }
    }

    /// One decision at time `now`, without waiting.
    public func request(_ count: Int = 1, now: UInt64) -> Grant {
        state.withLock { state in
            if state.stopped || now >= deadline { return .exhausted }
            if let maxRequests, state.issued >= maxRequests { return .exhausted }
            if let rate {
                let due = start + UInt64(Double(state.issued) / rate * 1e9)
                if now < due { return .notYet(at: due) }
            }
            let first = state.issued
            state.issued += count
            return .granted(first: first)
        }
    }

    /// Waits until requests may be sent; nil once the budget is spent.
    public func take(_ count: Int = 1) -> Int? {
        while true {
            switch request(count, now: MonotonicClock.now()) {
            case .granted(let first): return first
            case .exhausted: return nil
            case .notYet(let due): MonotonicClock.sleep(until: due) { self.stopped }
            }
        }
    }
}
