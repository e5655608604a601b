import Foundation

/// Everything one `reload-check` measured: the requests, the reloads, the server's books, the
/// kernel's counters, and the verdict.
public struct ReloadRun: Sendable {
    public var target: String
    public var targetCommand: String
    public var reloadKind: ReloadKind
    public var reloadCommand: String
    public var started: Date
    public var durationSeconds: Double
    public var records: [RequestRecord]
    public var timeline: ReloadTimeline
    public var profile: LoadProfile
    /// The reference server's books before and after (nil for other servers).
    public var statsBefore: ReferenceStats?
    public var statsAfter: ReferenceStats?
    /// Counter deltas in a private network namespace; nil with `kernelUnavailable` saying why.
    public var kernelDeltas: [String: Int]?
    public var kernelUnavailable: String?
    public var allowIdempotentRetry: Bool
    public var verdict: ReloadVerdict
    /// The load's client TLS context (nil over cleartext).
    public var tlsContext: TLSClientContext?

    public init(target: String, targetCommand: String, reloadKind: ReloadKind, reloadCommand: String, started: Date,
                durationSeconds: Double, records: [RequestRecord], timeline: ReloadTimeline, profile: LoadProfile,
                statsBefore: ReferenceStats?, statsAfter: ReferenceStats?, kernelDeltas: [String: Int]?,
                kernelUnavailable: String?, allowIdempotentRetry: Bool, tlsContext: TLSClientContext? = nil) {
        self.target = target
        self.targetCommand = targetCommand
        self.reloadKind = reloadKind
        self.reloadCommand = reloadCommand
        self.started = started
        self.durationSeconds = durationSeconds
        self.records = records
        self.timeline = timeline
        self.profile = profile
        self.statsBefore = statsBefore
        self.statsAfter = statsAfter
        self.kernelDeltas = kernelDeltas
        self.kernelUnavailable = kernelUnavailable
        self.allowIdempotentRetry = allowIdempotentRetry
        self.tlsContext = tlsContext
        verdict = ReloadVerdict(records: records, timeline: timeline, forcedKills: Self.delta(statsBefore, statsAfter, \.forcedKills),
                                allowIdempotentRetry: allowIdempotentRetry)
    }

    static func delta(_ before: ReferenceStats?, _ after: ReferenceStats?, _ key: KeyPath<ReferenceStats, Int>) -> Int? {
        guard let before, let after else { return nil }
        return after[keyPath: key] - before[keyPath: key]
    }

    public var forcedKills: Int? { Self.delta(statsBefore, statsAfter, \.forcedKills) }
    public var completedReloads: Int? { Self.delta(statsBefore, statsAfter, \.reloads) }
    public var failedReloads: Int? { Self.delta(statsBefore, statsAfter, \.failedReloads) }
    public var recycles: Int? { Self.delta(statsBefore, statsAfter, \.recycles) }
    public var respawns: Int? { Self.delta(statsBefore, statsAfter, \.respawns) }

    public var requestsPerSecond: Double { durationSeconds > 0 ? Double(records.count) / durationSeconds : 0 }

    public func count(_ outcome: OutcomeClass) -> Int { records.filter { $0.outcome == outcome }.count }

    /// Latency of ok requests that overlapped a reload, and of those that did not.
    public var latencyDuring: LatencySummary {
        LatencySummary(latenciesNanoseconds: records.filter { $0.outcome == .ok && timeline.reload(overlapping: $0) != nil }.map(\.latencyNanoseconds))
    }
    public var latencyOutside: LatencySummary {
        LatencySummary(latenciesNanoseconds: records.filter { $0.outcome == .ok && timeline.reload(overlapping: $0) == nil }.map(\.latencyNanoseconds))
    }

    /// What the load's TLS connections negotiated and how many resumed (nil over cleartext).
    public var tls: TLSRunSummary? { TLSRunSummary(context: tlsContext, sessions: records.compactMap(\.tls)) }

    /// Resumption attempts (new connections that offered a session: raw keep-alive clients that
    /// reconnect, libcurl) and their success, for connections opened during a reload and outside.
    public var resumptionDuringReloads: ResumptionShare {
        ResumptionShare(records.filter { timeline.reload(overlapping: $0) != nil }.compactMap(\.tls))
    }
    public var resumptionOutsideReloads: ResumptionShare {
        ResumptionShare(records.filter { timeline.reload(overlapping: $0) == nil }.compactMap(\.tls))
    }

    /// The h2 traffic kind's streams: how many, how many the server refused unprocessed, and how
    /// many were answered over HTTP/1.x because the target offered no h2 (nil without h2 traffic).
    public var http2Line: String? {
        let streams = records.filter { $0.kind == .h2 }
        guard !streams.isEmpty else { return nil }
        let refused = streams.filter(\.isRefusedStream).count
        let downgraded = streams.filter { $0.detail.contains("not HTTP/2") }.count
        var line = "HTTP/2 streams \(streams.count), ok \(streams.filter { $0.outcome == .ok }.count), refused unprocessed "
            + "\(refused) (REFUSED_STREAM or above a GOAWAY's last-stream-id: retry-safe, RFC 9113 §8.7, not failing)"
        if downgraded > 0 { line += ", \(downgraded) answered over HTTP/1.x (the target offered no h2)" }
        return line
    }

    /// Requests per time bucket: (bucket start ms, ok, failed).
    public func buckets(milliseconds: Int = 100) -> [(start: Int, ok: Int, failed: Int)] {
        let width = UInt64(milliseconds) * 1_000_000
        let last = records.map(\.startNanoseconds).max() ?? 0
        var rows = Array(repeating: (start: 0, ok: 0, failed: 0), count: Int(last / width) + 1)
        for index in rows.indices { rows[index].start = index * milliseconds }
        for record in records {
            let index = Int(record.startNanoseconds / width)
            if record.isFailure(allowIdempotentRetry: allowIdempotentRetry) { rows[index].failed += 1 } else { rows[index].ok += 1 }
        }
        return rows
    }
}
