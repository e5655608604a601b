@preconcurrency import Glibc

/// CLOCK_MONOTONIC in nanoseconds: request times, reload marks and pacing share this clock.
public enum LoadClock {
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Sleeps until `deadline` (monotonic ns) or until `stop` says so, checking every 20 ms.
    static func sleep(until deadline: UInt64, unless stop: () -> Bool = { false }) {
        while true {
            let now = Self.now()
            if now >= deadline || stop() { return }
            let step = min(deadline - now, 20_000_000)
            var request = timespec(tv_sec: 0, tv_nsec: Int(step))
            nanosleep(&request, nil)
        }
    }
}
