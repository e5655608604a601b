/// The verdict of a reload check: zero requests in any failure class and zero forced kills pass;
/// anything else fails, with every failed request listed. HTTP/2 streams refused unprocessed are safe
/// to retry (RFC 9113 §8.7): listed apart, they do not fail it. A reload that never reached its end state
/// (a roll that did not finish, a worker not replaced) fails it too: its requests were not tested.
public struct ReloadVerdict: Sendable {
    public struct FailedRequest: Sendable, Codable, Equatable {
        public var id: UInt64
        public var outcome: OutcomeClass
        public var kind: TrafficKind
        public var method: String
        public var detail: String
        public var connectionAgeMilliseconds: Double
        public var connectionRequests: Int
        /// The reload the request overlapped (its index), nil if none.
        public var reload: Int?
        public var startMilliseconds: Double
    }

    public var passed: Bool
    public var failures: [FailedRequest]
    /// Idempotent requests that met a closed reused connection, not failing with `--allow-idempotent-retry`.
    public var retryAllowed: [FailedRequest]
    /// HTTP/2 streams the server refused unprocessed (REFUSED_STREAM, or above a GOAWAY's
    /// last-stream-id): safe to retry (RFC 9113 §8.7), so not failing, but listed.
    public var refusedStreams: [FailedRequest]
    public var reasons: [String]

    public init(records: [RequestRecord], timeline: ReloadTimeline, forcedKills: Int?, allowIdempotentRetry: Bool) {
        func describe(_ record: RequestRecord) -> FailedRequest {
            FailedRequest(id: record.id, outcome: record.outcome, kind: record.kind, method: record.method, detail: record.detail,
                          connectionAgeMilliseconds: Double(record.connectionAgeNanoseconds) / 1e6,
                          connectionRequests: record.connectionRequests, reload: timeline.reload(overlapping: record)?.index,
                          startMilliseconds: Double(record.startNanoseconds) / 1e6)
        }
        failures = records.filter { $0.isFailure(allowIdempotentRetry: allowIdempotentRetry) }.map(describe)
        retryAllowed = allowIdempotentRetry
            ? records.filter { $0.isRetryAllowed && !$0.isFailure(allowIdempotentRetry: true) }.map(describe) : []
        refusedStreams = records.filter(\.isRefusedStream).map(describe)
        var reasons: [String] = []
        if !failures.isEmpty {
            let byClass = Dictionary(grouping: failures, by: \.outcome).mapValues(\.count)
            reasons.append("\(failures.count) failed request(s): "
                + byClass.keys.sorted().map { "\($0.rawValue) \(byClass[$0]!)" }.joined(separator: ", "))
        }
        if let forcedKills, forcedKills > 0 { reasons.append("\(forcedKills) forced kill(s) of workers at the mercy deadline") }
        let unsettled = timeline.events.filter { !$0.settled }.count
        if unsettled > 0 { reasons.append("\(unsettled) reload(s) did not settle in time") }
        if records.isEmpty { reasons.append("no request was sent") }
        self.reasons = reasons
        passed = reasons.isEmpty
    }
}
