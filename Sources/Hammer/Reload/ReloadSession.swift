import CathammerContract

/// Runs the load and fires the reloads on schedule: warm-up, then one reload every `every`
/// seconds (or as soon as the previous one settled, if that took longer), then a tail of load.
public struct ReloadSchedule: Sendable {
    public var reloads: Int
    public var every: Double
    public var warmup = 0.5
    public var tail = 0.5

    public init(reloads: Int, every: Double) {
        self.reloads = reloads
        self.every = every
    }
}

public enum ReloadSession {
    /// Returns the reloads that happened; a driver failure stops the load and is rethrown.
    public static func run(load: LoadGenerator, driver: ReloadDriver, schedule: ReloadSchedule,
                           progress: (ReloadEvent) -> Void = { _ in }) throws(ReloadDriver.Failure) -> ReloadTimeline {
        load.start()
        defer {
            load.stop()
            load.wait(timeout: 60)
        }
        let budget = load.budget
        let begin = MonotonicClock.now()
        MonotonicClock.sleep(until: begin + UInt64(schedule.warmup * 1e9)) { budget.exhausted }
        var events: [ReloadEvent] = []
        if schedule.reloads == 0 {
            // A baseline: the same load without reloads, for as long as the budget lasts.
            MonotonicClock.sleep(until: budget.deadline) { budget.exhausted }
        } else if driver.kind == .maxRequests {
            events = driver.watchRecycles(count: schedule.reloads, until: budget.deadline, log: load.log) { budget.exhausted }
            events.forEach(progress)
        } else {
            let first = MonotonicClock.now()
            for index in 0..<schedule.reloads {
                MonotonicClock.sleep(until: first + UInt64(Double(index) * schedule.every * 1e9)) { budget.exhausted }
                // Reloads without load prove nothing: stop when the load has ended.
                guard !budget.exhausted else { break }
                let event = try driver.reload(index: index, log: load.log)
                events.append(event)
                progress(event)
            }
        }
        MonotonicClock.sleep(until: MonotonicClock.now() + UInt64(schedule.tail * 1e9)) { budget.exhausted }
        return ReloadTimeline(events: events)
    }
}
