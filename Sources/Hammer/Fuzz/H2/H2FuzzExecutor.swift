import CathammerContract
import Foundation
@preconcurrency import Glibc
import HTTP2Wire

/// Sends one fuzzed HTTP/2 stream: the standard opening (preface and SETTINGS, the server's SETTINGS
/// awaited and acknowledged), the case's writes as they are cut, then the probe PING in a write of its
/// own; reads until the answer is decided (a GOAWAY or a close; the probe acknowledged and every
/// request a strict server answers answered or reset) or `timeout` passes.
public struct H2FuzzExecutor: Sendable {
    public var endpoint: Endpoint
    /// Over TLS, offering ALPN `h2` alone (RFC 9113 §3.2).
    let h2Endpoint: Endpoint
    public var timeout: Double
    public var quiet: Double

    public init(endpoint: Endpoint, timeout: Double = 1.5, quiet: Double = 0.15) throws(TLSSettingProblem) {
        self.endpoint = endpoint
        h2Endpoint = try endpoint.offering(alpn: ["h2"])
        self.timeout = timeout
        self.quiet = quiet
    }

    public var authority: String { endpoint.authority }

    func runner(decided: ((H2ResponseReader) -> Bool)? = nil) -> H2CaseRunner {
        H2CaseRunner(endpoint: h2Endpoint, timeout: timeout, quiet: quiet, authority: authority,
                     pieces: { bytes, _ in [0..<bytes.count] }, decided: decided)
    }

    /// The settings the target announces (nil when it does not answer the preface with SETTINGS).
    /// Three tries: a server just started (or a busy machine) may miss the first.
    public func serverSettings() -> HTTP2Settings? {
        for attempt in 0..<3 {
            if let exchange = try? runner().run(H2Script(steps: []), openingOnly: true), exchange.openingFailed == nil {
                return exchange.peerSettings
            }
            usleep(useconds_t(300_000 * (attempt + 1)))
        }
        return nil
    }

    public func execute(_ input: FuzzInput, expectation: H2Expectation) -> H2Observation {
        let probe = H2Oracle.probeBytes
        let probePayload = Array(probe.dropFirst(9))
        let decided: (H2ResponseReader) -> Bool = { reader in
            let probeAcked = reader.pingAcks.contains(probePayload)
            if expectation.connectionError != nil { return probeAcked }
            if expectation.probeReached && !probeAcked { return false }
            return expectation.answered.allSatisfy { id in
                reader.facts.responses.contains { $0.streamID == id } || reader.facts.resets.contains { $0.streamID == id }
            }
        }
        let steps = input.filledSegments(authority: authority).map { H2Step.write(H2Write(parts: [.raw($0)])) }
            + [.write(H2Write(parts: [.raw(probe)]))]
        let exchange: H2CaseRunner.Exchange
        do {
            exchange = try runner(decided: decided).run(H2Script(steps: steps))
        } catch {
            return H2Observation(facts: H2Facts(), ending: .reset, connectFailed: true)
        }
        return H2Observation(facts: exchange.facts, ending: exchange.ending, connectFailed: false,
                             probeAcked: exchange.pingAcks.contains(probePayload), openingFailed: exchange.openingFailed,
                             framesReceived: exchange.framesReceived)
    }

    /// A plain HTTP/2 GET / on a fresh connection gets a response (any status), within three tries.
    public func answersGET() -> Bool {
        var get = H2FrameSpec(type: HTTP2FrameType.headers.rawValue, flags: HTTP2FrameFlags([.endStream, .endHeaders]).rawValue, streamID: 1)
        get.body = .headerBlock(.fields(H2Field.request(method: "GET", path: "/")))
        for attempt in 0..<3 {
            if let exchange = try? runner().run(H2Script(steps: [.write(H2Write(parts: [.frame(get)]))])),
               !exchange.facts.responses.isEmpty {
                return true
            }
            usleep(useconds_t(200_000 * (attempt + 1)))
        }
        return false
    }
}

/// Whether an HTTP/2 target is still the same live server: an HTTP/2 GET on a fresh connection, and
/// for a server this run started, the same processes as before.
public final class H2TargetHealth: @unchecked Sendable {
    private let executor: H2FuzzExecutor
    private let rootPID: Int32?
    private let lock = NSLock()
    private var processes: Set<Int32>

    public init(executor: H2FuzzExecutor, rootPID: Int32?) {
        self.executor = executor
        self.rootPID = rootPID
        processes = rootPID.map(TargetHealth.processTree) ?? []
    }

    /// nil when healthy, else what is wrong. A process that exited is reported once.
    public func problem() -> String? {
        if let rootPID {
            let now = TargetHealth.processTree(rootPID)
            let vanished: Set<Int32> = lock.withLock {
                defer { processes = now }
                return processes.subtracting(now)
            }
            if !vanished.isEmpty { return "process \(vanished.sorted().map(String.init).joined(separator: ", ")) of the target exited" }
        }
        return executor.answersGET() ? nil : "the target stopped answering an HTTP/2 GET"
    }

    public func isAnswering() -> Bool { executor.answersGET() }
}
