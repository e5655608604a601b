import XCTest
@testable import Hammer

/// Target addresses and the TLS settings a command line gives, each refusal with its rule.
final class TLSSettingsTests: XCTestCase {
    func testTargetAddressesWithAndWithoutScheme() throws {
        XCTAssertEqual(try TargetAddress("127.0.0.1:8080"), TargetAddress(host: "127.0.0.1", port: 8080, scheme: nil))
        XCTAssertEqual(try TargetAddress("https://localhost:8443"), TargetAddress(host: "localhost", port: 8443, scheme: .https))
        XCTAssertEqual(try TargetAddress("http://[::1]:80/"), TargetAddress(host: "::1", port: 80, scheme: .http))
        XCTAssertEqual(try TargetAddress("HTTPS://[::1]:443"), TargetAddress(host: "::1", port: 443, scheme: .https))
        for bad in ["127.0.0.1", "ftp://a:21", "https://a:443/path", "::1:80", "https://:443", "a:0", "a:70000", "https://user@a:443"] {
            XCTAssertThrowsError(try TargetAddress(bad), bad) { error in
                XCTAssertTrue("\(error)".contains("is not HOST:PORT, http://HOST:PORT or https://HOST:PORT"), "\(error)")
            }
        }
    }

    func testServerNamesFollowRFC6066() throws {
        XCTAssertEqual(try TLSClientSettings.checkServerName("localhost"), "localhost")
        XCTAssertEqual(try TLSClientSettings.checkServerName("a-b.example_1.test"), "a-b.example_1.test")
        for (bad, reason) in [("127.0.0.1", "an IP address literal"), ("::1", "an IP address literal"), ("a.test.", "trailing dot"),
                              ("a b", "not a DNS label"), ("", "1 to 253"), ("a..b", "not a DNS label")] {
            XCTAssertThrowsError(try TLSClientSettings.checkServerName(bad), bad) { error in
                let problem = error as? TLSSettingProblem
                XCTAssertEqual(problem?.setting, .serverName)
                XCTAssertEqual(problem?.rfc, "RFC 6066 §3")
                XCTAssertTrue(problem?.reason.contains(reason) ?? false, "\(bad): \(String(describing: problem))")
            }
        }
        XCTAssertEqual(TLSClientSettings.defaultServerName(host: "localhost"), "localhost", "a name is sent")
        XCTAssertNil(TLSClientSettings.defaultServerName(host: "127.0.0.1"), "an address is not")
        XCTAssertNil(TLSClientSettings.defaultServerName(host: "::1"))
    }

    func testALPNListsFollowRFC7301() throws {
        XCTAssertEqual(try TLSClientSettings.alpnList("h2,http/1.1"), ["h2", "http/1.1"])
        XCTAssertEqual(try TLSClientSettings.alpnList(" h2 , http/1.1 "), ["h2", "http/1.1"])
        XCTAssertEqual(TLSClientSettings(serverName: nil, alpn: ["h2", "http/1.1"]).alpnWireFormat,
                       [2] + Array("h2".utf8) + [8] + Array("http/1.1".utf8), "length-prefixed names (RFC 7301 §3.1)")
        for bad in ["", ",", "h\u{1}2", String(repeating: "x", count: 256), "h 2"] {
            XCTAssertThrowsError(try TLSClientSettings.alpnList(bad), bad) { error in
                XCTAssertEqual((error as? TLSSettingProblem)?.rfc, "RFC 7301 §3.1")
            }
        }
    }

    func testACAFileThatIsNotPEMIsRefusedNamingIt() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(getpid()).pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        XCTAssertThrowsError(try TLSClientContext(TLSClientSettings(serverName: nil, verification: .authorities(file: file)))) { error in
            let problem = error as? TLSSettingProblem
            XCTAssertEqual(problem?.setting, .authorities)
            XCTAssertEqual(problem?.value, file)
            XCTAssertTrue(problem?.reason.contains("not a readable PEM file of CA certificates") ?? false, "\(String(describing: problem))")
        }
    }
}
