import Foundation
import Glibc
import XCTest
@testable import PreforkServer

/// The sd_notify datagram and NOTIFY_SOCKET, without sockets.
final class ServiceNotificationTests: XCTestCase {
    func testTheDatagramIsOneFieldALine() {
        XCTAssertEqual(ServiceNotification.datagram([.ready, .status("generation 1: 2 workers")]),
                       "READY=1\nSTATUS=generation 1: 2 workers")
        XCTAssertEqual(ServiceNotification.datagram([.reloading(monotonicMicroseconds: 123_456), .status("x")]),
                       "RELOADING=1\nMONOTONIC_USEC=123456\nSTATUS=x")
        XCTAssertEqual(ServiceNotification.datagram([.stopping]), "STOPPING=1")
        XCTAssertEqual(ServiceNotification.datagram([.mainPID(4242)]), "MAINPID=4242")
    }

    func testANewlineInTheStatusCannotStartAnotherField() {
        XCTAssertEqual(ServiceNotification.datagram([.status("refused (bad\nREADY=1)")]), "STATUS=refused (bad READY=1)")
    }

    func testNotifySocketPathsAndAbstractNames() throws {
        XCTAssertEqual(try NotifySocketAddress.parse("/run/systemd/notify").get(), .path("/run/systemd/notify"))
        XCTAssertEqual(try NotifySocketAddress.parse("/run/systemd/notify").get().sunPathBytes.last, 0, "a path ends in NUL")
        let abstract = try NotifySocketAddress.parse("@cathammer/1").get()
        XCTAssertEqual(abstract, .abstract("cathammer/1"))
        XCTAssertEqual(abstract.sunPathBytes, [0] + Array("cathammer/1".utf8), "abstract: a leading NUL, no terminator")
    }

    func testUnusableNotifySocketsAreRefused() {
        for value in ["relative/path", "@", "vsock:2:1", "/" + String(repeating: "a", count: 108)] {
            guard case .failure(let error) = NotifySocketAddress.parse(value) else {
                return XCTFail("\(value) was accepted")
            }
            XCTAssertTrue(error.description.contains("NOTIFY_SOCKET"), error.description)
        }
        XCTAssertNotNil(try? NotifySocketAddress.parse("/" + String(repeating: "a", count: 106)).get(), "107 bytes and the NUL fit")
    }

    func testWithoutTheVariableNothingIsSentAndNothingComplains() {
        var warnings: [String] = []
        let notifier = ServiceNotifier(environment: nil) { warnings.append($0) }
        XCTAssertFalse(notifier.isActive)
        notifier.send([.ready])
        XCTAssertEqual(warnings, [])
        let bad = ServiceNotifier(environment: "relative") { warnings.append($0) }
        XCTAssertFalse(bad.isActive)
        XCTAssertEqual(warnings.count, 1, "an unusable value is reported once, at start")
    }

    func testASocketNobodyListensOnIsReportedOnceAndTheNextSuccessClearsIt() throws {
        var warnings: [String] = []
        let path = NSTemporaryDirectory() + "/cathammer-notify-test-\(getpid())"
        unlink(path)
        let notifier = ServiceNotifier(environment: path) { warnings.append($0) }
        XCTAssertTrue(notifier.isActive)
        notifier.send([.ready])
        notifier.send([.stopping])
        XCTAssertEqual(warnings.count, 1, "\(warnings)")
        XCTAssertTrue(warnings.first?.hasPrefix("cannot notify systemd (sendto NOTIFY_SOCKET: ") == true, "\(warnings)")

        // Now something listens there: the datagram arrives whole.
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(receiver); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        notifier.send([.ready, .status("generation 1: 1 worker ready")])
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(receiver, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        XCTAssertEqual(count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil, "READY=1\nSTATUS=generation 1: 1 worker ready")
        unlink(path)
        notifier.send([.stopping])
        XCTAssertEqual(warnings.count, 2, "a failure after a success is reported again")
    }
}

/// LISTEN_PID / LISTEN_FDS / LISTEN_FDNAMES and the matching of passed sockets to the flags.
final class SocketActivationTests: XCTestCase {
    private func passed(_ pid: String?, _ fds: String?, _ names: String? = nil, own: Int32 = 100) throws -> [SocketActivation.PassedSocket]? {
        try SocketActivation.passed(listenPID: pid, listenFDs: fds, listenFDNames: names, ownPID: own)
    }

    func testDescriptorsStartAtThreeAndCarryTheirNames() throws {
        XCTAssertEqual(try passed("100", "2", "web:tls"), [.init(fd: 3, name: "web"), .init(fd: 4, name: "tls")])
        XCTAssertEqual(try passed("100", "1"), [.init(fd: 3, name: "unknown")])
    }

    func testVariablesForAnotherProcessOrForNoneAreIgnored() throws {
        XCTAssertNil(try passed("99", "1"), "LISTEN_PID of another process (inherited) is not ours")
        XCTAssertNil(try passed(nil, "1"))
        XCTAssertNil(try passed("100", nil))
        XCTAssertNil(try passed("100", "0"))
    }

    func testMalformedVariablesAreConfigurationErrors() {
        XCTAssertThrowsError(try passed("x", "1"))
        XCTAssertThrowsError(try passed("100", "many"))
        XCTAssertThrowsError(try passed("100", "-1"))
        XCTAssertThrowsError(try passed("100", "2", "only-one"), "two descriptors, one name")
    }

    private let web = SocketEndpoint(family: AF_INET, host: "127.0.0.1", port: 8000)
    private let tls = SocketEndpoint(family: AF_INET6, host: "::", port: 8443)
    private func candidate(_ fd: Int32, _ endpoint: SocketEndpoint?) -> SocketActivation.Candidate {
        .init(socket: .init(fd: fd, name: "n\(fd)"), endpoint: endpoint)
    }
    private func listener(_ text: String, _ scheme: RequestScheme = .http) -> ListenerConfig {
        ListenerConfig(address: ListenAddressValue(text)!, scheme: scheme)
    }
    private func assign(_ candidates: [SocketActivation.Candidate], _ configured: [ListenerConfig],
                        byDefault: Bool = false) throws -> [SocketActivation.Assignment] {
        try SocketActivation.assign(candidates, configured: configured, configuredByDefault: byDefault) { SocketEndpoint(resolving: $0) }
    }

    func testConfiguredListenersTakeTheSocketBoundToTheirAddressInTheirOrder() throws {
        let assigned = try assign([candidate(3, tls), candidate(4, web)], [listener("localhost:8000"), listener("[::]:8443", .https)])
        XCTAssertEqual(assigned, [.init(fd: 4, scheme: .http, host: "localhost"), .init(fd: 3, scheme: .https, host: "[::1]")])
    }

    func testPortZeroMatchesAnyPortOfTheHost() throws {
        XCTAssertEqual(try assign([candidate(3, web)], [listener("127.0.0.1:0")]).map(\.fd), [3])
    }

    func testWithoutFlagsEverySocketIsTakenAsHTTP() throws {
        let assigned = try assign([candidate(3, web), candidate(4, tls)], [listener("127.0.0.1:8000")], byDefault: true)
        XCTAssertEqual(assigned, [.init(fd: 3, scheme: .http, host: "127.0.0.1"), .init(fd: 4, scheme: .http, host: "[::1]")])
    }

    func testAConfiguredListenerWithoutASocketIsRefusedNamingBoth() {
        XCTAssertThrowsError(try assign([candidate(3, web)], [listener("127.0.0.1:9000")])) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("--http '127.0.0.1:9000'") && text.contains("127.0.0.1:8000 (fd 3, n3)"), text)
        }
        XCTAssertThrowsError(try assign([candidate(3, web)], [listener("[::1]:8000")]), "another family is another address")
    }

    func testASocketNoFlagNamesIsRefused() {
        XCTAssertThrowsError(try assign([candidate(3, web), candidate(4, tls)], [listener("127.0.0.1:8000")])) { error in
            XCTAssertTrue("\(error)".contains("[::]:8443 (fd 4, n4) that no --http/--https names"), "\(error)")
        }
    }

    func testADescriptorThatIsNoListeningTCPSocketIsRefused() {
        XCTAssertThrowsError(try assign([candidate(3, nil)], [listener("127.0.0.1:8000")], byDefault: true)) { error in
            XCTAssertTrue("\(error)".contains("descriptor 3 (n3) that is not a listening TCP socket"), "\(error)")
        }
    }

    func testTheEndpointOfRealSockets() throws {
        let opened = try Listener.open(ListenAddress(host: "127.0.0.1", port: 0), backlog: 8)
        defer { close(opened.fd) }
        XCTAssertEqual(SocketEndpoint(listeningSocket: opened.fd), SocketEndpoint(family: AF_INET, host: "127.0.0.1", port: opened.port))
        let reserved = try Listener.reserve(ListenAddress(host: "127.0.0.1", port: 0))
        defer { close(reserved.fd) }
        XCTAssertNil(SocketEndpoint(listeningSocket: reserved.fd), "bound but not listening")
        var pair: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair), 0)
        defer { close(pair[0]); close(pair[1]) }
        XCTAssertNil(SocketEndpoint(listeningSocket: pair[0]), "a unix socket")
        XCTAssertEqual(SocketEndpoint(resolving: ListenAddressValue("[::1]:80")!), SocketEndpoint(family: AF_INET6, host: "::1", port: 80))
    }
}
