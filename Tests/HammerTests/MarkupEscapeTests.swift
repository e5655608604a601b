@testable import Hammer
import XCTest

/// The one escape every HTML, SVG and JUnit report uses.
final class MarkupEscapeTests: XCTestCase {
    func testEachMarkupCharacterBecomesItsEntity() {
        XCTAssertEqual(MarkupEscape.text("&"), "&amp;")
        XCTAssertEqual(MarkupEscape.text("<"), "&lt;")
        XCTAssertEqual(MarkupEscape.text(">"), "&gt;")
        XCTAssertEqual(MarkupEscape.text("\""), "&quot;")
        XCTAssertEqual(MarkupEscape.text("'"), "&apos;")
        XCTAssertEqual(MarkupEscape.text("<a href=\"x\">Tom & 'Jerry'</a>"),
                       "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;")
    }

    func testAnEntityInTheInputIsEscapedAgainNotKept() {
        // Text is text: "&lt;" typed by a server must show as "&lt;", not as "<".
        XCTAssertEqual(MarkupEscape.text("&lt;"), "&amp;lt;")
    }

    func testControlCharactersBecomeVisibleEscapesButTabAndNewlineStay() {
        XCTAssertEqual(MarkupEscape.text("a\u{0}b\u{1B}c\rd"), "a\\x0b\\x1bc\\xdd")
        XCTAssertEqual(MarkupEscape.text("a\tb\nc"), "a\tb\nc")
    }

    func testOtherTextIsUnchanged() {
        let text = "GET /cats/1 HTTP/1.1 → 200 “ok” §6.3 ünïcödé 🐈"
        XCTAssertEqual(MarkupEscape.text(text), text)
        XCTAssertEqual(MarkupEscape.text(""), "")
    }

    func testEveryReportUsesIt() {
        // A target name with markup in it must not break out of the page or the XML.
        let chart = SVGChart.timeSeries(title: "<b>&", step: 1, line: .init(name: "l", color: "#000", values: [1]),
                                        bars: .init(name: "b", color: "#111", values: [1]), bands: [])
        XCTAssertTrue(chart.contains("&lt;b&gt;&amp;"), chart)
        XCTAssertFalse(chart.contains("<b>&"), chart)
    }
}
