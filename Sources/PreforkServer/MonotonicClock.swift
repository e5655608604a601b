import Glibc

/// Nanoseconds on CLOCK_MONOTONIC: deadlines must not jump with the wall clock.
enum MonotonicClock {
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    static func nanoseconds(milliseconds: Int) -> UInt64 { UInt64(max(0, milliseconds)) &* 1_000_000 }
    static func nanoseconds(seconds: Double) -> UInt64 { UInt64(max(0, seconds) * 1_000_000_000) }
}
