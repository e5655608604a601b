import CathammerContract
import HTTPWire
import Foundation

/// Compares what a target did (`Observation`) with what a strict server must do (`Expectation`).
/// Pure: the crash probe's answer is passed in, so every rule is testable without sockets.
public enum FindingClassifier {
    /// Statuses that mean "your request is malformed or unsupported", as opposed to an application
    /// answer such as 404 or 405, or a size limit of the target's own choosing (413, 414, 431).
    public static let refusalStatuses: Set<Int> = [400, 411, 417, 501, 505]

    /// Whether the outcome is suspicious enough to ask the target if it is still healthy.
    public static func needsHealthCheck(_ observation: Observation, _ expectation: Expectation) -> Bool {
        observation.connectFailed || observation.responses.count < expectation.responses
            || observation.responses.contains { !$0.complete }
    }

    /// nil when the target behaved as a strict server may.
    public static func classify(_ expectation: Expectation, _ observation: Observation,
                                healthProblem: String? = nil) -> Classification? {
        let reason = expectation.reason
        // Findings about a request the strict parser accepts have the reason `valid`, whatever
        // comes after it, so minimization may drop the rest.
        func finding(_ kind: FindingClass, _ detail: String, _ explanation: String, aboutValid: Bool = false) -> Classification {
            Classification(findingClass: kind, reason: aboutValid ? "valid" : reason, detail: detail, explanation: explanation)
        }
        if let healthProblem {
            return finding(.crash, observation.connectFailed ? "connect-failed" : "unhealthy", healthProblem)
        }
        let statuses = observation.statuses
        let accepted = expectation.requests.count
        let strict = expectation.responses
        let expectedText = "a strict server answers \(strict) (\(expectationSummary(expectation)))"

        if let rejection = expectation.rejection, statuses.count > accepted {
            // A request answered behind one a strict server refuses for its framing: the target
            // found a request boundary where a strict parser never gets, the request-smuggling shape.
            if expectation.refusalConcernsFraming,
               let smuggled = statuses.dropFirst(accepted + 1).first(where: { $0 < 400 }) {
                return finding(.desync, "smuggled-request",
                               "the target answered \(observation.outcome): inside the request a strict server refuses with \(rejection.status) (\(rejection.reason.rawValue)) it found another one and answered \(smuggled)")
            }
            if statuses[accepted] < 400 {
                return finding(.lenient, "accepted-\(statuses[accepted] / 100)xx",
                               "the target answered \(statuses[accepted]) to a request a strict server refuses with \(rejection.status) (\(rejection.reason.rawValue))")
            }
            if statuses.count > accepted + 1 {
                return finding(.lenient, "read-on-after-refusal",
                               "the target refused the request (\(statuses[accepted])) but did not close, and took the bytes behind it for requests: \(observation.outcome)")
            }
        }
        if expectation.incomplete, statuses.count > accepted, statuses[accepted] < 400 {
            return finding(.lenient, "answered-incomplete",
                           "the target answered \(statuses[accepted]) to a request that ends before its framing says (a strict server waits, and closes at EOF)")
        }
        // Judged only up to where the conversation stops being comparable.
        if !expectation.endsConversation {
            // An incomplete request at EOF may get one error response.
            let allowed = strict + (expectation.incomplete && statuses.count > accepted
                                    && statuses[accepted] >= 400 ? 1 : 0)
            if statuses.count > allowed {
                return finding(.desync, "extra-response",
                               "the target answered \(statuses.count) responses (\(observation.outcome)); \(expectedText)")
            }
        }
        for index in 0..<min(accepted, statuses.count) where refusalStatuses.contains(statuses[index]) {
            return finding(.overStrict, "status-\(statuses[index])",
                           "the target refused valid request \(index + 1) with \(statuses[index]); \(expectedText)", aboutValid: true)
        }
        if statuses.count < strict {
            let missing = statuses.count < accepted
            if observation.ending == .open {
                return finding(.hang, missing ? "no-answer" : "no-rejection",
                               "the target neither answered nor closed after \(statuses.count) responses; \(expectedText)", aboutValid: missing)
            }
            // A server may close a connection after any response that says so (RFC 9112 §9.6).
            if missing, let last = observation.responses.last, announcesClose(last) { return nil }
            if missing {
                if statuses.isEmpty {
                    return finding(.overStrict, "closed-without-answer",
                                   "the target closed the connection without answering a valid request; \(expectedText)", aboutValid: true)
                }
                return finding(.desync, "missing-response",
                               "the target answered \(statuses.count) responses (\(observation.outcome)); \(expectedText)", aboutValid: true)
            }
            // Closing without a response is an acceptable way to refuse.
        }
        for index in 0..<min(accepted, observation.responses.count) {
            guard let echo = EchoedFraming(responseBody: observation.responses[index].body) else { continue }
            let request = expectation.requests[index]
            if echo.bodyLength != request.body.count {
                return finding(.framing, "body-length",
                               "the target read a body of \(echo.bodyLength) bytes in request \(index + 1); the strict parser reads \(request.body.count)", aboutValid: true)
            }
            if let sha = echo.bodySHA256, sha != SHA256Hex.of(request.body) {
                return finding(.framing, "body-bytes", "the target read other body bytes in request \(index + 1) than the strict parser", aboutValid: true)
            }
            if let framing = echo.framing, framing != frameName(request.framing) {
                return finding(.framing, "framing-\(framing)",
                               "the target framed request \(index + 1) as \(framing); the strict parser as \(frameName(request.framing))", aboutValid: true)
            }
        }
        return nil
    }

    /// The response says the connection ends after it: `Connection: close`, or HTTP/1.0 without keep-alive.
    static func announcesClose(_ response: ResponseMessage) -> Bool {
        let connection = response.fields.filter { String(decoding: $0.name, as: UTF8.self).lowercased() == "connection" }
            .flatMap { String(decoding: $0.value, as: UTF8.self).lowercased().split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if connection.contains("close") { return true }
        return response.version == "HTTP/1.0" && !connection.contains("keep-alive")
    }

    static func frameName(_ framing: BodyFraming) -> String {
        switch framing {
        case .none: return "none"
        case .contentLength: return "content-length"
        case .chunked: return "chunked"
        }
    }

    /// "2 requests, then 400 te-with-content-length" and the like.
    public static func expectationSummary(_ expectation: Expectation) -> String {
        var parts = ["\(expectation.requests.count) request\(expectation.requests.count == 1 ? "" : "s")"]
        if let rejection = expectation.rejection { parts.append("then \(rejection.status) \(rejection.reason.rawValue)") }
        if expectation.incomplete { parts.append("then an incomplete request") }
        return parts.joined(separator: ", ")
    }
}
