import Glibc

/// Nanoseconds on CLOCK_MONOTONIC, the one clock of the server's deadlines and the harness's
/// request times: neither may jump when the wall clock is set.
public enum MonotonicClock {
    // Inlinable: a worker reads the clock on every wakeup and every request, and inside the server
    // module these were inlined; a module boundary should not add a call to that path.
    @inlinable
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Negative durations are zero: a deadline in the past is due, never a wrapped-around future.
    @inlinable
    public static func nanoseconds(milliseconds: Int) -> UInt64 { UInt64(max(0, milliseconds)) &* 1_000_000 }
    @inlinable
    public static func nanoseconds(seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000_000) }

    /// Whole milliseconds from `start` to now.
    public static func milliseconds(since start: UInt64) -> Int { Int((now() - start) / 1_000_000) }

    /// Sleeps until `deadline` (monotonic ns) or until `stop` says so, checking every 20 ms so a
    /// stopped load run does not wait out a long pause.
    public static func sleep(until deadline: UInt64, unless stop: () -> Bool = { false }) {
        while true {
            let now = Self.now()
            if now >= deadline || stop() { return }
            var request = timespec(tv_sec: 0, tv_nsec: Int(min(deadline - now, 20_000_000)))
            nanosleep(&request, nil)
        }
    }
}
