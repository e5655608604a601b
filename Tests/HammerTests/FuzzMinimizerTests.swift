import XCTest
@testable import Hammer

final class FuzzMinimizerTests: XCTestCase {
    func testKeepsOnlyTheBytesAndCutsThatMatter() {
        let text = "GET / HTTP/1.1\r\nHost: a\r\nX-Junk: 1\r\nTransfer-Encoding : chunked\r\nX-More: 2\r\n\r\n"
        let input = FuzzInput(bytes: Array(text.utf8), cuts: [5, 20, 40])
        var minimizer = Minimizer(budget: 2000) { candidate in
            String(decoding: candidate.bytes, as: UTF8.self).contains(" :") && candidate.bytes.contains(0x0A)
        }
        let minimized = minimizer.minimize(input)
        XCTAssertEqual(String(decoding: minimized.bytes, as: UTF8.self).count, 3, String(decoding: minimized.bytes, as: UTF8.self))
        XCTAssertTrue(minimized.cuts.isEmpty, "no cut is needed")
        XCTAssertLessThanOrEqual(minimizer.tests, 2000)

        // The write boundary before "HTTP/1.1" is what matters here.
        var keepsACut = Minimizer(budget: 2000) { candidate in
            candidate.segments.count == 2 && candidate.segments[1].first == UInt8(ascii: "H")
        }
        let split = keepsACut.minimize(FuzzInput(bytes: Array(text.utf8), cuts: [6]))
        XCTAssertEqual(split.segments.count, 2)
        XCTAssertEqual(split.bytes.count, 2, "one byte before the cut and the H after it")
    }

    func testStopsAtTheBudget() {
        let input = FuzzInput(bytes: Array(repeating: 0x41, count: 500))
        var calls = 0
        var minimizer = Minimizer(budget: 10) { _ in
            calls += 1
            return false
        }
        XCTAssertEqual(minimizer.minimize(input), input)
        XCTAssertEqual(calls, 10)
    }
}
