import CCurl
import HTTPWire
import XCTest
@testable import Hammer

final class ExchangeClassifierTests: XCTestCase {
    private func response(_ status: Int, complete: Bool = true) -> ResponseMessage {
        ResponseMessage(version: "HTTP/1.1", status: status, complete: complete)
    }

    func testCompleteResponses() {
        XCTAssertEqual(ExchangeClassifier.classify(write: .complete, received: 100, ending: .response, response: response(200),
                                                   reusedConnection: true).0, .ok)
        XCTAssertEqual(ExchangeClassifier.classify(write: .complete, received: 100, ending: .eof, response: response(404),
                                                   reusedConnection: false).0, .ok, "a complete response below 500 is answered")
        XCTAssertEqual(ExchangeClassifier.classify(write: .complete, received: 100, ending: .response, response: response(503),
                                                   reusedConnection: false).0, .serverError)
    }

    func testNothingReceivedIsAnEOFOnTheRightKindOfConnection() {
        for ending in [ExchangeClassifier.Ending.eof, .reset] {
            let fresh = ExchangeClassifier.classify(write: .complete, received: 0, ending: ending, response: nil, reusedConnection: false)
            let reused = ExchangeClassifier.classify(write: .complete, received: 0, ending: ending, response: nil, reusedConnection: true)
            XCTAssertEqual(fresh.0, .eofFresh)
            XCTAssertEqual(reused.0, .eofReused)
            XCTAssertEqual(fresh.1, ending == .reset ? "reset" : "eof")
        }
    }

    func testPartialResponsesAndTimeouts() {
        XCTAssertEqual(ExchangeClassifier.classify(write: .complete, received: 40, ending: .reset, response: response(200, complete: false),
                                                   reusedConnection: false).0, .truncated)
        XCTAssertEqual(ExchangeClassifier.classify(write: .complete, received: 0, ending: .timeout, response: nil,
                                                   reusedConnection: true).0, .readTimeout)
    }

    func testWriteFailures() {
        let none = ExchangeClassifier.classify(write: .failed(written: 0, errno: ECONNRESET), received: 0, ending: .reset,
                                               response: nil, reusedConnection: true)
        XCTAssertEqual(none.0, .eofReused, "nothing of the request was taken: the connection was already gone")
        XCTAssertEqual(none.1, "write: ECONNRESET")
        XCTAssertEqual(ExchangeClassifier.classify(write: .failed(written: 300, errno: EPIPE), received: 0, ending: .eof,
                                                   response: nil, reusedConnection: false).0, .writeError)
        XCTAssertEqual(ExchangeClassifier.classify(write: .failed(written: 300, errno: EPIPE), received: 0, ending: .eof,
                                                   response: response(413), reusedConnection: false).0, .ok,
                       "an early answer (413 to an unread body) is an answer")
    }

    func testLibcurlResults() {
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_OK, status: 200, received: 10, reused: true, retried: false, connected: true).0, .ok)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_OK, status: 502, received: 10, reused: true, retried: false, connected: true).0, .serverError)
        let retried = CurlMultiClient.classify(code: CURLE_OK, status: 200, received: 10, reused: true, retried: true, connected: true)
        XCTAssertEqual(retried.0, .eofReused, "libcurl's silent retry is reported, not hidden")
        XCTAssertTrue(retried.1.contains("retried"))
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_COULDNT_CONNECT, status: 0, received: 0, reused: false, retried: false, connected: false).0, .refused)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_OPERATION_TIMEDOUT, status: 0, received: 0, reused: false, retried: false, connected: false).0, .connectTimeout)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_OPERATION_TIMEDOUT, status: 0, received: 0, reused: false, retried: false, connected: true).0, .readTimeout)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_GOT_NOTHING, status: 0, received: 0, reused: true, retried: false, connected: true).0, .eofReused)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_RECV_ERROR, status: 0, received: 0, reused: false, retried: false, connected: true).0, .eofFresh)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_PARTIAL_FILE, status: 200, received: 5, reused: false, retried: false, connected: true).0, .truncated)
        XCTAssertEqual(CurlMultiClient.classify(code: CURLE_SEND_ERROR, status: 0, received: 0, reused: false, retried: false, connected: true).0, .writeError)
        let refused = CurlMultiClient.classify(code: CURLE_OK, status: 200, received: 10, reused: true, retried: false, connected: true,
                                               refused: true)
        XCTAssertEqual(refused.0, .refusedStream, "libcurl's retry of a refused HTTP/2 stream is reported")
        XCTAssertTrue(refused.1.contains("the retry got 200"), refused.1)
    }
}

final class RequestRecordTests: XCTestCase {
    private func record(_ outcome: OutcomeClass, kind: TrafficKind = .keepAlive, method: String = "GET", start: UInt64 = 0,
                        end: UInt64 = 1, retried: Bool = false) -> RequestRecord {
        RequestRecord(id: 1, kind: kind, method: method, outcome: outcome, startNanoseconds: start, endNanoseconds: end, retried: retried)
    }

    func testStrictModeFailsEveryClassButOKAndRefusedStreams() {
        for outcome in OutcomeClass.allCases {
            XCTAssertEqual(record(outcome).isFailure(allowIdempotentRetry: false), outcome != .ok && outcome != .refusedStream,
                           outcome.rawValue)
        }
    }

    func testRefusedStreamsAreListedApartAndDoNotFail() {
        let timeline = ReloadTimeline(events: [ReloadEvent(index: 0, kind: .hup, startNanoseconds: 0, endNanoseconds: 100,
                                                           settled: true, note: "")])
        let records = [record(.ok, kind: .h2), record(.refusedStream, kind: .h2, method: "POST", start: 10, end: 20)]
        let verdict = ReloadVerdict(records: records, timeline: timeline, forcedKills: 0, allowIdempotentRetry: false)
        XCTAssertTrue(verdict.passed, "RFC 9113 §8.7: a refused stream was not processed, any client may retry it")
        XCTAssertEqual(verdict.failures.count, 0)
        XCTAssertEqual(verdict.refusedStreams.map(\.method), ["POST"], "reported, never hidden")
        XCTAssertEqual(verdict.refusedStreams.first?.reload, 0)
    }

    func testIdempotentRetryExcusesOnlyReusedConnectionClosesOfGETs() {
        XCTAssertFalse(record(.eofReused).isFailure(allowIdempotentRetry: true))
        XCTAssertTrue(record(.eofReused).isRetryAllowed)
        XCTAssertTrue(record(.eofReused, kind: .post, method: "POST").isFailure(allowIdempotentRetry: true), "POST is not idempotent")
        XCTAssertTrue(record(.eofReused, kind: .curl, method: "POST").isFailure(allowIdempotentRetry: true))
        XCTAssertTrue(record(.eofFresh).isFailure(allowIdempotentRetry: true), "a fresh connection's close is never excused")
        XCTAssertFalse(record(.eofReused, kind: .curl, retried: true).isFailure(allowIdempotentRetry: true))
    }

    func testVerdictListsEachFailureWithItsReload() {
        let timeline = ReloadTimeline(events: [
            ReloadEvent(index: 0, kind: .hup, startNanoseconds: 100, endNanoseconds: 200, settled: true, note: ""),
            ReloadEvent(index: 1, kind: .hup, startNanoseconds: 500, endNanoseconds: 600, settled: true, note: ""),
        ])
        let records = [record(.ok, start: 0, end: 50), record(.eofReused, start: 550, end: 560), record(.refused, start: 300, end: 301),
                       record(.ok, start: 150, end: 160)]
        let strict = ReloadVerdict(records: records, timeline: timeline, forcedKills: 0, allowIdempotentRetry: false)
        XCTAssertFalse(strict.passed)
        XCTAssertEqual(strict.failures.map(\.outcome), [.eofReused, .refused])
        XCTAssertEqual(strict.failures.map(\.reload), [1, nil])
        XCTAssertEqual(strict.reasons, ["2 failed request(s): refused 1, eof_reused 1"])

        let lenient = ReloadVerdict(records: records, timeline: timeline, forcedKills: 0, allowIdempotentRetry: true)
        XCTAssertEqual(lenient.failures.map(\.outcome), [.refused])
        XCTAssertEqual(lenient.retryAllowed.map(\.outcome), [.eofReused], "reported separately, never hidden")

        let clean = ReloadVerdict(records: [record(.ok)], timeline: timeline, forcedKills: 0, allowIdempotentRetry: false)
        XCTAssertTrue(clean.passed)
        let killed = ReloadVerdict(records: [record(.ok)], timeline: timeline, forcedKills: 1, allowIdempotentRetry: false)
        XCTAssertFalse(killed.passed, "a forced kill fails the check even when every request was answered")
        XCTAssertFalse(ReloadVerdict(records: [], timeline: timeline, forcedKills: nil, allowIdempotentRetry: false).passed)
        var stuck = timeline
        stuck.events[1].settled = false
        let unsettled = ReloadVerdict(records: [record(.ok)], timeline: stuck, forcedKills: 0, allowIdempotentRetry: false)
        XCTAssertEqual(unsettled.reasons, ["1 reload(s) did not settle in time"])
    }
}

final class LoadPiecesTests: XCTestCase {
    /// A keep-alive connection is reused after its drawn gap, but not after a stall a second longer:
    /// that was a starved client thread, and the server's idle close it would meet is not the reload's.
    func testAStarvedKeepAliveConnectionIsNotReused() {
        let profile = LoadProfile()
        let millisecond: UInt64 = 1_000_000
        XCTAssertTrue(profile.reuses(idle: 3 * millisecond, intended: 0))
        XCTAssertTrue(profile.reuses(idle: 1000 * millisecond, intended: 0))
        XCTAssertFalse(profile.reuses(idle: 1001 * millisecond, intended: 0))
        XCTAssertTrue(profile.reuses(idle: 6000 * millisecond, intended: 5500 * millisecond), "a gap chosen to straddle an idle timeout is kept")
        XCTAssertFalse(profile.reuses(idle: 7000 * millisecond, intended: 5500 * millisecond))
    }

    func testBudgetCountsAndDeadline() {
        let budget = RequestBudget(start: 1_000, duration: 1, maxRequests: 3, rate: nil)
        XCTAssertEqual(budget.request(2, now: 1_000), .granted(first: 0))
        XCTAssertEqual(budget.request(1, now: 1_000), .granted(first: 2))
        XCTAssertEqual(budget.request(1, now: 1_000), .exhausted)
        XCTAssertTrue(budget.exhausted, "the count is reached")
        let timed = RequestBudget(start: 0, duration: 1, maxRequests: nil, rate: nil)
        XCTAssertEqual(timed.request(1, now: 999_999_999), .granted(first: 0))
        XCTAssertEqual(timed.request(1, now: 1_000_000_000), .exhausted)
        timed.stop()
        XCTAssertNil(timed.take())
    }

    func testRateSchedulesRequestsOpenLoop() {
        let budget = RequestBudget(start: 0, duration: 10, maxRequests: nil, rate: 100)
        XCTAssertEqual(budget.request(1, now: 0), .granted(first: 0))
        XCTAssertEqual(budget.request(1, now: 5_000_000), .notYet(at: 10_000_000))
        XCTAssertEqual(budget.request(1, now: 10_000_000), .granted(first: 1))
        // Behind schedule: requests are due at once until it catches up.
        XCTAssertEqual(budget.request(1, now: 100_000_000), .granted(first: 2))
        XCTAssertEqual(budget.request(1, now: 100_000_000), .granted(first: 3))
    }

    func testMix() throws {
        var profile = LoadProfile()
        profile.kinds = [.keepAlive, .curl]
        profile.concurrency = 5
        XCTAssertEqual(LoadGenerator.clients(profile), [.keepAlive: 3, .curl: 2])
    }

    func testLatencySummary() {
        let summary = LatencySummary(latenciesNanoseconds: (1...1000).map { UInt64($0) * 1_000_000 })
        XCTAssertEqual(summary.count, 1000)
        XCTAssertEqual(Double(summary.p50Microseconds), 500_000, accuracy: 1000)
        XCTAssertEqual(Double(summary.p99Microseconds), 990_000, accuracy: 1000)
        XCTAssertEqual(Double(summary.maxMicroseconds), 1_000_000, accuracy: 1000)
        XCTAssertEqual(LatencySummary(latenciesNanoseconds: []).count, 0)
    }

    func testKernelCountersParseAndDiff() {
        let before = KernelCounters.parse("""
            Ip: Forwarding DefaultTTL
            Ip: 1 64
            Tcp: RtoAlgorithm OutRsts AttemptFails EstabResets
            Tcp: 1 10 2 3
            TcpExt: SyncookiesSent ListenOverflows ListenDrops
            TcpExt: 0 4 5
            """)
        XCTAssertEqual(before.values["Tcp:OutRsts"], 10)
        XCTAssertEqual(before.values["TcpExt:ListenDrops"], 5)
        var after = before
        after.values["Tcp:OutRsts"] = 17
        after.values["TcpExt:ListenOverflows"] = 6
        let delta = before.delta(to: after)
        XCTAssertEqual(delta["Tcp:OutRsts"], 7)
        XCTAssertEqual(delta["TcpExt:ListenOverflows"], 2)
        XCTAssertEqual(delta["Tcp:AttemptFails"], 0)
        XCTAssertEqual(Set(delta.keys), Set(KernelCounters.reported))
    }

    func testReferenceStatsParse() throws {
        let body = #"{"master":{"reloads":3,"failed_reloads":1,"recycles":2,"forced_kills":0,"respawns":4,"workers_configured":2},"workers":[{"pid":10,"generation":4,"state":"ready","accepts":7,"eagain_accepts":1,"epoll_wakeups":9,"listener_wakeups":8,"voluntary_context_switches":12,"requests":7},{"pid":11,"generation":3,"state":"retiring"}]}"#
        let stats = try XCTUnwrap(ReferenceStats.parse(Array(body.utf8)))
        XCTAssertEqual(stats.reloadsEnded, 4)
        XCTAssertEqual(stats.generation, 4)
        XCTAssertEqual(stats.readyWorkers.map(\.pid), [10])
        XCTAssertEqual(stats.workers.first?.voluntaryContextSwitches, 12)
        XCTAssertNil(ReferenceStats.parse(Array("not json".utf8)))
    }
}

final class HerdArithmeticTests: XCTestCase {
    private func worker(_ pid: Int, accepts: Int, switches: Int, eagain: Int = 0, epoll: Int = 0) -> ReferenceStats.Worker {
        ReferenceStats.Worker(state: "ready", pid: pid, generation: 1, requests: accepts, epollWakeups: epoll, listenerWakeups: epoll,
                              accepts: accepts, eagainAccepts: eagain, voluntaryContextSwitches: switches)
    }

    func testDeltasPerWorkerMatchedByPID() {
        let before = [worker(1, accepts: 10, switches: 100), worker(2, accepts: 5, switches: 50), worker(3, accepts: 0, switches: 0)]
        let after = [worker(1, accepts: 70, switches: 300, eagain: 4, epoll: 9), worker(2, accepts: 25, switches: 90), worker(4, accepts: 99, switches: 99)]
        let deltas = HerdArithmetic.deltas(before: before, after: after)
        XCTAssertEqual(deltas.accepts, 80, "worker 4 is new and worker 3 gone: both left out")
        XCTAssertEqual(deltas.contextSwitches, 240)
        XCTAssertEqual(deltas.eagain, 4)
        XCTAssertEqual(deltas.listenerWakeups, 9)
        XCTAssertEqual(deltas.busiestShare, 0.75)
        let cell = HerdRun.cell(mode: "plain", workers: 2, load: "serial", concurrency: 1, records: [], deltas: deltas, reference: true)
        XCTAssertEqual(cell.wakeupsPerConnection, 3)
        XCTAssertEqual(cell.eagainPerConnection, 0.05)
    }

    func testOutsideViewCountsOnlyWorkers() {
        let before = [ProcessCounters(pid: 1, voluntaryContextSwitches: 5), ProcessCounters(pid: 2, voluntaryContextSwitches: 0),
                      ProcessCounters(pid: 3, voluntaryContextSwitches: 0)]
        let after = [ProcessCounters(pid: 1, voluntaryContextSwitches: 500), ProcessCounters(pid: 2, voluntaryContextSwitches: 30),
                     ProcessCounters(pid: 3, voluntaryContextSwitches: 10)]
        let deltas = HerdArithmetic.deltas(before: before, after: after, workers: [2, 3], busiestShare: 0.6)
        XCTAssertEqual(deltas.contextSwitches, 40, "the master (pid 1) is not a worker")
        XCTAssertEqual(deltas.busiestShare, 0.6)
        XCTAssertEqual(ProcessCounters.read(pid: getpid())?.pid, getpid())
        XCTAssertNil(ProcessCounters.read(pid: Int32.max), "no such process")
    }

    func testBusiestShareAndSocketsOfAProcess() throws {
        XCTAssertEqual(ConnectionSampler.busiestShare([30, 10]), 0.75)
        XCTAssertEqual(ConnectionSampler.busiestShare([]), 0)
        let before = ConnectionSampler.socketInodes(of: getpid())
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let after = ConnectionSampler.socketInodes(of: getpid())
        XCTAssertEqual(after.subtracting(before).count, 1, "a new socket of the process is seen in /proc/PID/fd")
    }

    func testLoadsForAWorkerCount() {
        XCTAssertEqual(HerdArithmetic.loads(workers: 1).map(\.concurrency), [1, 2])
        XCTAssertEqual(HerdArithmetic.loads(workers: 2).map(\.concurrency), [1, 2, 4])
        XCTAssertEqual(HerdArithmetic.loads(workers: 8).map(\.label), ["serial", "c=W/2", "c=W", "c=2W"])
    }
}
