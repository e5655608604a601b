import CathammerContract
import XCTest

final class DurationTextTests: XCTestCase {
    /// Every spelling a caller accepted before the parsers were one: reload-check's flags
    /// (`200ms`, `1.5s`, `2m`, `3`, spaces), fuzz's `--duration` (`1h`), the corpus's `pause`.
    func testEverySpelling() throws {
        XCTAssertEqual(try DurationText.seconds("200ms"), 0.2)
        XCTAssertEqual(try DurationText.seconds("1.5s"), 1.5)
        XCTAssertEqual(try DurationText.seconds("2m"), 120)
        XCTAssertEqual(try DurationText.seconds("1h"), 3600)
        XCTAssertEqual(try DurationText.seconds("0.5h"), 1800)
        XCTAssertEqual(try DurationText.seconds("3"), 3)
        XCTAssertEqual(try DurationText.seconds("0"), 0)
        XCTAssertEqual(try DurationText.seconds("200 ms"), 0.2)
        XCTAssertEqual(try DurationText.seconds("1e3ms"), 1)
        XCTAssertEqual(try DurationText("90s"), DurationText(value: 90, unit: .seconds))
        XCTAssertEqual(try DurationText("45"), DurationText(value: 45, unit: .seconds))
        XCTAssertEqual(try DurationText("10m").unit, .minutes)
    }

    /// The corpus's pauses are whole milliseconds taken from the number as written.
    func testMillisecondsAreExact() throws {
        for count in 0...4000 {
            XCTAssertEqual(Int(try DurationText("\(count)ms").milliseconds), count)
        }
        XCTAssertEqual(try DurationText("1s").milliseconds, 1000)
        XCTAssertEqual(try DurationText("0.3s").milliseconds, 300)
        XCTAssertEqual(try DurationText("2m").milliseconds, 120_000)
        XCTAssertEqual(try DurationText("1h").milliseconds, 3_600_000)
        XCTAssertEqual(try DurationText("4").milliseconds, 4000)
    }

    func testEveryErrorNamesTheText() {
        let cases: [(String, DurationTextError.Problem)] = [
            ("fast", .notADuration), ("", .notADuration), ("ms", .notADuration), ("5 parsecs", .notADuration),
            ("1d", .notADuration), ("5sm", .notADuration),
            ("-1s", .negative), ("-0.5", .negative),
            ("infs", .notFinite), ("nan", .notFinite),
        ]
        for (text, problem) in cases {
            XCTAssertThrowsError(try DurationText(text), text) { error in
                XCTAssertEqual(error as? DurationTextError, DurationTextError(text: text, problem: problem), text)
                XCTAssertTrue(String(describing: error).contains("'\(text)'"), "\(error)")
            }
        }
    }

    func testMillisecondRanges() throws {
        XCTAssertEqual(try DurationText.millisecondRange("10ms-90ms"), 10...90)
        XCTAssertEqual(try DurationText.millisecondRange("20ms"), 20...20)
        XCTAssertEqual(try DurationText.millisecondRange("0.5s-1s"), 500...1000)
        XCTAssertThrowsError(try DurationText.millisecondRange("90ms-10ms")) { error in
            XCTAssertEqual(error as? DurationTextError, DurationTextError(text: "90ms-10ms", problem: .reversedRange))
        }
        XCTAssertThrowsError(try DurationText.millisecondRange("10ms-soon")) { error in
            XCTAssertEqual(error as? DurationTextError, DurationTextError(text: "soon", problem: .notADuration))
        }
        XCTAssertThrowsError(try DurationText.millisecondRange(""))
    }
}
