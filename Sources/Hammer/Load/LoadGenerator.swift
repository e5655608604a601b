import CathammerContract
import Foundation

/// Runs the clients of a `LoadProfile` against a target on their own threads until the budget is
/// spent (duration, request count) or `stop()`; every request lands in `log`.
public final class LoadGenerator: @unchecked Sendable {
    public let profile: LoadProfile
    public let target: Endpoint
    public let log: RequestLog
    public let budget: RequestBudget
    private let finished = DispatchGroup()
    private var threads: [Thread] = []

    public init(profile: LoadProfile, target: Endpoint, start: UInt64 = MonotonicClock.now()) {
        self.profile = profile
        self.target = target
        log = RequestLog(start: start)
        budget = RequestBudget(start: start, duration: profile.duration, maxRequests: profile.maxRequests, rate: profile.rate)
    }

    /// Clients per kind for the profile's concurrency (round-robin over the mix).
    public static func clients(_ profile: LoadProfile) -> [TrafficKind: Int] {
        var counts: [TrafficKind: Int] = [:]
        for index in 0..<max(1, profile.concurrency) { counts[profile.kinds[index % profile.kinds.count], default: 0] += 1 }
        return counts
    }

    public func start() {
        let counts = Self.clients(profile)
        for (kind, count) in counts where kind != .curl && kind != .h2 {
            for _ in 0..<count {
                let client = RawTrafficClient(kind: kind, target: target, profile: profile, budget: budget, log: log)
                launch { client.run() }
            }
        }
        if let slots = counts[.curl], slots > 0 {
            let client = CurlMultiClient(slots: slots, target: target, profile: profile, budget: budget, log: log)
            launch { client.run() }
        }
        if var streams = counts[.h2], streams > 0 {
            if target.isTLS {
                // libcurl negotiates h2 by ALPN and multiplexes the streams itself.
                let client = CurlMultiClient(slots: streams, target: target, profile: profile, budget: budget, log: log, protocolMode: .http2)
                launch { client.run() }
            } else {
                // h2c with prior knowledge: libcurl 7.88 cannot reuse such a connection (see H2TrafficClient).
                let perConnection = max(1, profile.h2StreamsPerConnection)
                while streams > 0 {
                    let client = H2TrafficClient(streams: min(streams, perConnection), target: target, profile: profile, budget: budget, log: log)
                    streams -= perConnection
                    launch { client.run() }
                }
            }
        }
    }

    private func launch(_ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.stackSize = 1 << 20
        threads.append(thread)
        thread.start()
    }

    /// Ends the load early: no new request starts; those in flight finish (bounded by their timeouts).
    public func stop() { budget.stop() }

    /// Waits until every client has finished; false if they did not within `timeout` seconds.
    @discardableResult
    public func wait(timeout: Double) -> Bool { finished.wait(timeout: .now() + timeout) == .success }
}
