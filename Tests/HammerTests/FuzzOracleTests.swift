import HTTPWire
import XCTest
@testable import Hammer

final class FuzzOracleTests: XCTestCase {
    func expect(_ text: String) -> Expectation { Oracle.expect(Array(text.utf8)) }

    func observation(_ statuses: [Int], _ ending: ConnectionEnding, bodies: [String] = [], connection: String? = nil) -> Observation {
        let responses = statuses.enumerated().map { index, status in
            ResponseMessage(version: "HTTP/1.1", status: status,
                            fields: connection.map { [HeaderField(name: Array("Connection".utf8), value: Array($0.utf8))] } ?? [],
                            body: index < bodies.count ? Array(bodies[index].utf8) : [], complete: true)
        }
        return Observation(responses: responses, ending: ending, connectFailed: false, received: [])
    }

    func testTheOracleCountsRequestsRejectionsAndIncompleteOnes() {
        let two = expect("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(two.requests.count, 2)
        XCTAssertEqual(two.responses, 2)
        XCTAssertEqual(two.reason, "valid")

        let smuggled = expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        XCTAssertEqual(smuggled.requests.count, 0)
        XCTAssertEqual(smuggled.rejection?.reason, .transferEncodingWithContentLength)
        XCTAssertEqual(smuggled.responses, 1)

        let partial = expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        XCTAssertTrue(partial.incomplete)
        XCTAssertEqual(partial.responses, 0)

        let closing = expect("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(closing.requests.count, 1, "nothing after Connection: close is processed")
        XCTAssertFalse(closing.endsConversation)

        let limit = expect("GET / HTTP/1.1\r\nHost: a\r\n" + (0..<200).map { "X-\($0): y\r\n" }.joined() + "\r\n")
        XCTAssertTrue(limit.endsConversation, "a size limit is not judged")
        XCTAssertNil(limit.rejection)
    }

    func testClassesFollowTheOracle() {
        let valid = expect("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertNil(FindingClassifier.classify(valid, observation([200], .closed)))
        XCTAssertNil(FindingClassifier.classify(valid, observation([404], .open)), "an application answer is not a finding")
        XCTAssertEqual(FindingClassifier.classify(valid, observation([200, 200], .closed))?.findingClass, .desync)
        XCTAssertEqual(FindingClassifier.classify(valid, observation([400], .closed))?.findingClass, .overStrict)
        XCTAssertEqual(FindingClassifier.classify(valid, observation([], .closed))?.detail, "closed-without-answer")
        XCTAssertEqual(FindingClassifier.classify(valid, observation([], .open))?.findingClass, .hang)
        XCTAssertEqual(FindingClassifier.classify(valid, observation([], .reset), healthProblem: "gone")?.findingClass, .crash)

        let invalid = expect("GET / HTTP/1.1\r\nHost : a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(invalid.rejection?.reason, .whitespaceBeforeColon)
        XCTAssertNil(FindingClassifier.classify(invalid, observation([400], .closed)))
        XCTAssertNil(FindingClassifier.classify(invalid, observation([], .closed)), "closing without an answer is a way to refuse")
        let lenient = FindingClassifier.classify(invalid, observation([200], .closed))
        XCTAssertEqual(lenient?.findingClass, .lenient)
        XCTAssertEqual(lenient?.reason, "whitespace-before-colon")
        XCTAssertFalse(invalid.refusalConcernsFraming)
        XCTAssertEqual(FindingClassifier.classify(invalid, observation([200, 200], .closed))?.detail, "accepted-2xx",
                       "a pipelined request behind one refused for its Host is not smuggled")
        XCTAssertEqual(FindingClassifier.classify(invalid, observation([400, 400], .closed))?.detail, "read-on-after-refusal")

        let withBody = expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(withBody.refusalConcernsFraming)
        let smuggling = FindingClassifier.classify(withBody, observation([200, 200], .closed))
        XCTAssertEqual(smuggling?.findingClass, .desync, "a request answered behind one refused for its framing is smuggling")
        XCTAssertEqual(smuggling?.detail, "smuggled-request")
        let badChunk = expect("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2;\nxx\r\n0\r\n\r\n")
        XCTAssertEqual(badChunk.rejection?.reason, .chunkLineBareLF)
        XCTAssertTrue(badChunk.refusalConcernsFraming, "refused inside its body")

        let pipelined = expect("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(FindingClassifier.classify(pipelined, observation([200], .closed))?.detail, "missing-response")
        XCTAssertNil(FindingClassifier.classify(pipelined, observation([200], .closed, connection: "close")),
                     "a response that announces the close may end the connection")

        let partial = expect("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        XCTAssertNil(FindingClassifier.classify(partial, observation([], .closed)))
        XCTAssertNil(FindingClassifier.classify(partial, observation([400], .closed)), "an error at EOF is allowed")
        XCTAssertEqual(FindingClassifier.classify(partial, observation([200], .closed))?.detail, "answered-incomplete")
    }

    func testEchoCapableTargetsShowFramingDifferences() {
        let post = expect("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        let right = "{\"body_length\":5,\"body_sha256\":\"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\",\"framing\":\"content-length\"}"
        XCTAssertNil(FindingClassifier.classify(post, observation([200], .closed, bodies: [right])))
        XCTAssertEqual(FindingClassifier.classify(post, observation([200], .closed, bodies: ["ok 4\n"]))?.detail, "body-length")
        let otherBytes = right.replacingOccurrences(of: "2cf2", with: "0000")
        XCTAssertEqual(FindingClassifier.classify(post, observation([200], .closed, bodies: [otherBytes]))?.detail, "body-bytes")
        let chunked = right.replacingOccurrences(of: "content-length", with: "chunked")
        XCTAssertEqual(FindingClassifier.classify(post, observation([200], .closed, bodies: [chunked]))?.findingClass, .framing)
    }

    func testSignaturesIgnoreTheMutationPathAndGiveStableIDs() {
        let classification = Classification(findingClass: .lenient, reason: "obs-fold", detail: "accepted-2xx", explanation: "")
        let one = Signature(classification, mutationPath: "header.obs-fold")
        let two = Signature(classification, mutationPath: "byte.insert+header.obs-fold")
        XCTAssertEqual(one, two)
        XCTAssertEqual(one.caseID(), two.caseID())
        XCTAssertTrue(one.caseID().hasPrefix("FUZZ-LENIENT-"))
        XCTAssertTrue(one.caseID(prefix: "FUZZ-NGINX").hasPrefix("FUZZ-NGINX-LENIENT-"))
        XCTAssertTrue(one.matches(classification))
        XCTAssertFalse(one.matches(Classification(findingClass: .lenient, reason: "bare-lf", detail: "accepted-2xx", explanation: "")))
    }
}
