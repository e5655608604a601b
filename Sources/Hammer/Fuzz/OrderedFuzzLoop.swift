import Foundation
@preconcurrency import Glibc
import Synchronization

/// The loop every fuzz run shares (HTTP/1.1 and HTTP/2): `settings.jobs` threads generate and judge
/// cases ahead of the handler, at most `window` cases ahead, and the handler sees the results strictly
/// in index order, so a fixed seed against a deterministic target finds the same findings whatever
/// the number of jobs.
struct OrderedFuzzLoop<Judged: Sendable> {
    let settings: FuzzSettings
    let window: Int
    /// Generates and judges case `index`; runs on several threads at once.
    let judge: @Sendable (Int) -> (GeneratedCase, Judged)

    /// Hands each result to `handle` (with the seconds elapsed and the cases handled before it) until
    /// the case limit or the duration is reached or `handle` returns false; `waiting` is called about
    /// twice a second while the next result is not ready. Returns the cases handled and the seconds.
    func run(waiting: (_ elapsed: Double, _ handled: Int) -> Void,
             handle: (_ generated: GeneratedCase, _ judged: Judged, _ elapsed: Double, _ handled: Int) -> Bool)
        -> (handled: Int, elapsed: Double) {
        let clock = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - clock
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let limit = settings.maxCases ?? Int.max
        let nextIndex = Atomic<Int>(0)
        let handledUpTo = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let results = Mutex<[Int: (GeneratedCase, Judged)]>([:])
        let group = DispatchGroup()
        for _ in 0..<settings.jobs {
            group.enter()
            Thread { [judge, window] in
                defer { group.leave() }
                while !stop.load(ordering: .relaxed) {
                    let index = nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < limit else { return }
                    while index >= handledUpTo.load(ordering: .relaxed) + window && !stop.load(ordering: .relaxed) {
                        usleep(500)
                    }
                    if stop.load(ordering: .relaxed) { return }
                    let result = judge(index)
                    results.withLock { $0[index] = result }
                }
            }.start()
        }

        var lastWaiting = -1.0
        var handled = 0
        while handled < limit {
            if elapsed() >= settings.duration { break }
            guard let (generated, judged) = results.withLock({ $0.removeValue(forKey: handled) }) else {
                usleep(300)
                if elapsed() - lastWaiting >= 0.5 {
                    lastWaiting = elapsed()
                    waiting(lastWaiting, handled)
                }
                continue
            }
            handled += 1
            handledUpTo.store(handled, ordering: .relaxed)
            if !handle(generated, judged, elapsed(), handled) { break }
        }
        stop.store(true, ordering: .relaxed)
        group.wait()
        return (handled, elapsed())
    }
}
