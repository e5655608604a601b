import Foundation
import Synchronization

/// Calls `tick` ten times a second on its own thread until stopped: the live line of a run whose
/// progress is not a sequence of finished items (reload-check's load between reloads).
final class ProgressTicker: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(_ tick: @escaping @Sendable () -> Void) {
        Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                tick()
                usleep(100_000)
            }
            finished.signal()
        }.start()
    }

    /// Returns once the last tick is done, so nothing is drawn after it.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        finished.wait()
    }
}

/// The reloads fired so far, counted from the reload callback and read by the ticker.
final class ReloadCounter: Sendable {
    private let value = Atomic<Int>(0)
    var count: Int { value.load(ordering: .relaxed) }
    func increment() { value.add(1, ordering: .relaxed) }
}
