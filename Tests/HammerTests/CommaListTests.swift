@testable import Hammer
import XCTest

/// Comma-separated flag values of a closed set (`--format`, `--mix`, `--modes`, `--offers`).
final class CommaListTests: XCTestCase {
    func testItemsAreTrimmedAndEmptyOnesDropped() {
        XCTAssertEqual(CommaList.items("keepalive, fresh ,curl"), ["keepalive", "fresh", "curl"])
        XCTAssertEqual(CommaList.items("json,,md,"), ["json", "md"])
        XCTAssertEqual(CommaList.items(""), [])
        XCTAssertEqual(CommaList.items(" , "), [])
    }

    func testValuesKeepOrderAndRepeats() {
        let kinds = CommaList.values(CommaList.items("keepalive,fresh,keepalive"), as: TrafficKind.self)
        XCTAssertEqual(kinds, [.keepAlive, .fresh, .keepAlive])
        XCTAssertEqual(CommaList.values(CommaList.items("slow-body, curl"), as: TrafficKind.self), [.slowBody, .curl])
    }

    func testOneUnknownItemRefusesTheWholeList() {
        XCTAssertNil(CommaList.values(CommaList.items("keepalive,warp"), as: TrafficKind.self))
        XCTAssertNil(CommaList.values(["JSON"], as: ReportFormat.self), "names are case-sensitive")
    }

    func testTextIsTheInverse() {
        let formats: [ReportFormat] = [.json, .junit, .html, .md]
        XCTAssertEqual(CommaList.text(formats), "json,junit,html,md")
        XCTAssertEqual(CommaList.values(CommaList.items(CommaList.text(formats)), as: ReportFormat.self), formats)
    }

    func testLevelsComeFromOneEnum() {
        XCTAssertEqual(CorpusCase.levels, ["MUST", "SHOULD", "MAY", "POLICY"])
    }
}
