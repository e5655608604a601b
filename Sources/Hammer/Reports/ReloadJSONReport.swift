import Foundation

/// `report.json` of a reload check (`kind: reload`); schema: reports/schema/report.schema.json.
public struct ReloadJSONReport: Encodable {
    struct Server: Encodable {
        var reloads: Int, failedReloads: Int, recycles: Int, forcedKills: Int, respawns: Int
        var generationBefore: Int, generationAfter: Int
    }

    struct Kernel: Encodable {
        var available: Bool
        var reason: String?
        var deltas: [String: Int]
    }

    struct Latency: Encodable {
        var during: LatencySummary
        var outside: LatencySummary
    }

    struct Slow: Encodable {
        var id: UInt64
        var kind: String
        var method: String
        var milliseconds: Double
        var startMilliseconds: Double
        var connectionRequests: Int
        var reload: Int?
    }

    struct Verdict: Encodable {
        var passed: Bool
        var reasons: [String]
    }

    struct Load: Encodable {
        var mix: [String]
        var concurrency: Int
        var rate: Double?
        var paths: [String]
        var postPath: String
        var idleGapMs: [Int]
    }

    struct Resumption: Encodable {
        var duringReloads: ResumptionShare
        var outsideReloads: ResumptionShare
    }

    struct Body: Encodable {
        var reloadKind: String
        var reloadCommand: String
        var targetCommand: String
        var reloadsFired: Int
        var reloads: [ReloadEvent]
        var durationSeconds: Double
        var requests: Int
        var requestsPerSecond: Double
        var outcomes: [String: Int]
        var statuses: [String: Int]
        var failedRequests: [ReloadVerdict.FailedRequest]
        var retryAllowed: [ReloadVerdict.FailedRequest]
        /// HTTP/2 streams refused unprocessed: retry-safe (RFC 9113 §8.7), not failing, listed.
        var refusedStreams: [ReloadVerdict.FailedRequest]
        /// The ten slowest answered requests: where a reload's latency spike shows.
        var slowestRequests: [Slow]
        var allowIdempotentRetry: Bool
        var server: Server?
        var kernel: Kernel
        var latency: Latency
        var load: Load
        var verdict: Verdict
        /// Over TLS: what the connections negotiated, and resumption attempts during and outside reloads.
        var tls: TLSRunSummary?
        var tlsResumption: Resumption?
    }

    var schema = ReportSchema.id
    var tool = "cathammer"
    var version: String
    var kind = "reload"
    var target: String
    var started: String
    var reload: Body

    public init(run: ReloadRun, version: String) {
        self.version = version
        target = run.target
        started = ISO8601DateFormatter().string(from: run.started)
        var outcomes: [String: Int] = [:]
        for outcome in OutcomeClass.allCases { outcomes[outcome.rawValue] = run.count(outcome) }
        var statuses: [String: Int] = [:]
        for record in run.records where record.status > 0 { statuses[String(record.status), default: 0] += 1 }
        var server: Server?
        if let before = run.statsBefore, let after = run.statsAfter {
            server = Server(reloads: after.reloads - before.reloads, failedReloads: after.failedReloads - before.failedReloads,
                            recycles: after.recycles - before.recycles, forcedKills: after.forcedKills - before.forcedKills,
                            respawns: after.respawns - before.respawns, generationBefore: before.generation,
                            generationAfter: after.generation)
        }
        reload = Body(
            reloadKind: run.reloadKind.rawValue, reloadCommand: run.reloadCommand, targetCommand: run.targetCommand,
            reloadsFired: run.timeline.events.count, reloads: run.timeline.events, durationSeconds: run.durationSeconds,
            requests: run.records.count, requestsPerSecond: run.requestsPerSecond, outcomes: outcomes, statuses: statuses,
            failedRequests: run.verdict.failures, retryAllowed: run.verdict.retryAllowed,
            refusedStreams: run.verdict.refusedStreams,
            slowestRequests: run.records.filter { $0.outcome == .ok }.sorted { $0.latencyNanoseconds > $1.latencyNanoseconds }.prefix(10).map {
                Slow(id: $0.id, kind: $0.kind.rawValue, method: $0.method, milliseconds: Double($0.latencyNanoseconds) / 1e6,
                     startMilliseconds: Double($0.startNanoseconds) / 1e6, connectionRequests: $0.connectionRequests,
                     reload: run.timeline.reload(overlapping: $0)?.index)
            },
            allowIdempotentRetry: run.allowIdempotentRetry, server: server,
            kernel: Kernel(available: run.kernelDeltas != nil, reason: run.kernelUnavailable, deltas: run.kernelDeltas ?? [:]),
            latency: Latency(during: run.latencyDuring, outside: run.latencyOutside),
            load: Load(mix: run.profile.kinds.map(\.rawValue), concurrency: run.profile.concurrency, rate: run.profile.rate,
                       paths: run.profile.paths, postPath: run.profile.postPath,
                       idleGapMs: [run.profile.idleGapMilliseconds.lowerBound, run.profile.idleGapMilliseconds.upperBound]),
            verdict: Verdict(passed: run.verdict.passed, reasons: run.verdict.reasons),
            tls: run.tls,
            tlsResumption: run.tlsContext == nil ? nil
                : Resumption(duringReloads: run.resumptionDuringReloads, outsideReloads: run.resumptionOutsideReloads))
    }

    public func encoded() throws -> Data {
        try ReportSchema.encode(self)
    }
}
