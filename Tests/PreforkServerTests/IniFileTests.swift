import XCTest
@testable import PreforkServer

final class IniFileTests: XCTestCase {
    func testEntriesOfTheCathammerSectionInOrder() throws {
        let file = try IniFile(path: "x.ini", text: """
            # comment
            [uwsgi]
            http = :9000
            [cathammer]
            http = :8000   
            ; another comment
            static-map = /a=/tmp
            static-map = "/b=/var/tmp"
            processes=4
            """)
        XCTAssertEqual(file.entries.map(\.key), ["http", "static-map", "static-map", "processes"])
        XCTAssertEqual(file.entries.map(\.value), [":8000", "/a=/tmp", "/b=/var/tmp", "4"])
        XCTAssertEqual(file.entries.map(\.line), [5, 7, 8, 9])
    }

    func testMalformedFilesNameTheLine() {
        func error(_ text: String) -> IniFile.ParseError? {
            do {
                _ = try IniFile(path: "c.ini", text: text)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(error("[cathammer]\nprocesses\n")?.line, 2)
        XCTAssertEqual(error("processes = 1\n")?.line, 1)
        XCTAssertEqual(error("[cathammer\n")?.line, 1)
        XCTAssertEqual(error("[cathammer]\n = 3\n")?.message, "empty key")
        XCTAssertEqual(error("[other]\nx = 1\n")?.message, "no [cathammer] section")
        XCTAssertEqual(error("[cathammer]\n = 3\n")?.description, "c.ini:2: empty key")
    }
}
