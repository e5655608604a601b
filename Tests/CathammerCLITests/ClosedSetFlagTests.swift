import XCTest

/// Every flag that takes one of a fixed set of names is refused by the parser when the name is not
/// one of them: exit code 2, and the message lists the valid names. Nothing is started.
final class ClosedSetFlagTests: XCTestCase {
    private func assertRefused(_ arguments: [String], lists valid: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try CathammerBinary.run(arguments)
        XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)", file: file, line: line)
        XCTAssertTrue(result.stderr.contains("is invalid for '\(arguments[arguments.count - 2])"), "\(arguments): \(result.stderr)",
                      file: file, line: line)
        for name in valid {
            XCTAssertTrue(result.stderr.contains("'\(name)'") || result.stderr.contains("  - \(name)\n"),
                          "\(arguments) should list \(name): \(result.stderr)", file: file, line: line)
        }
    }

    func testRunCorpusFlags() throws {
        try assertRefused(["run", "corpus", "--format", "json,pdf"], lists: ["json", "junit", "html", "md"])
        try assertRefused(["run", "corpus", "--fail-on", "error"], lists: ["fail", "warn"])
        try assertRefused(["run", "corpus", "--fragment", "confetti"], lists: ["none", "bytewise", "random"])
        try assertRefused(["run", "corpus", "--level", "must"], lists: ["MUST", "SHOULD", "MAY", "POLICY"])
        try assertRefused(["run", "corpus", "--offers", "catserve-routes,php"], lists: ["catserve-routes"])
    }

    func testServeFlags() throws {
        try assertRefused(["serve", "--accept", "stampede"], lists: ["exclusive", "plain", "lock", "reuseport"])
        try assertRefused(["serve", "--app", "dogserve"], lists: ["catserve"])
    }

    func testFuzzFailOn() throws {
        try assertRefused(["fuzz", "--fail-on", "desync,bogus"],
                          lists: ["crash", "desync", "framing", "lenient", "over-strict", "hang", "none"])
    }

    func testReloadCheckFlags() throws {
        // command and signal are chosen by --reload-cmd and --reload-signal, never named by --reload.
        let drills = ["hup", "reexec", "fifo", "max-requests", "kill-worker", "worker-count", "bad-config"]
        try assertRefused(["reload-check", "--reload", "command"], lists: drills)
        let refused = try CathammerBinary.run(["reload-check", "--reload", "warp"])
        XCTAssertFalse(refused.stderr.contains("  - command\n"), refused.stderr)
        try assertRefused(["reload-check", "--mix", "keepalive,warp"], lists: ["keepalive", "fresh", "post", "pipelined", "slow-body", "curl"])
        try assertRefused(["reload-check", "--netns", "maybe"], lists: ["auto", "on", "off"])
        try assertRefused(["reload-check", "--format", "pdf"], lists: ["json", "junit", "html", "md"])
    }

    func testHerdCheckFlags() throws {
        try assertRefused(["herd-check", "--modes", "plain,sideways"], lists: ["plain", "exclusive", "lock", "reuseport"])
        try assertRefused(["herd-check", "--netns", "x"], lists: ["auto", "on", "off"])
    }

    func testDefaultsAreStillValidValues() throws {
        // The defaults are shown in --help as the parser would read them back.
        let help = try CathammerBinary.run(["run", "corpus", "--help"])
        XCTAssertTrue(help.stdout.contains("default: json,junit,html,md"), help.stdout)
        let reload = try CathammerBinary.run(["reload-check", "--help"])
        XCTAssertTrue(reload.stdout.contains("keepalive,fresh,post,keepalive,pipelined,curl,slow-body,fresh"), reload.stdout)
        let config = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--accept", "lock", "--check-config"])
        XCTAssertEqual(config.status, 0, config.stderr)
        XCTAssertTrue(config.stdout.contains("accept = lock"), config.stdout)
        XCTAssertTrue(config.stdout.contains("app = catserve"), config.stdout)
    }
}
