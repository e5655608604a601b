import XCTest
@testable import PreforkServer

/// Every (state, event) pair of a TLS connection before its session, with the outcome written out by hand.
final class TLSHandshakeLifecycleTests: XCTestCase {
    typealias Machine = TLSHandshakeLifecycle
    typealias Row = LifecycleRow<Machine>

    private let states: [Machine.State] = [
        .awaitingClientHello, .handshaking(.read), .handshaking(.write), .established, .refusingPlainHTTP, .closed(.timeout),
    ]
    private let events: [Machine.Event] = [
        .socketReady, .peeked(.byte(.tlsHandshake)), .peeked(.byte(.plainHTTP)), .peeked(.byte(.garbage)), .peeked(.nothingYet),
        .peeked(.gone), .stepped(.complete), .stepped(.wants(.read)), .stepped(.wants(.write)), .stepped(.failed(.alpnRefused)),
        .deadlinePassed,
    ]

    private var table: [Row] {
        var rows: [Row] = [
            Row(.awaitingClientHello, .socketReady, .next(.awaitingClientHello, [.peek])),
            Row(.awaitingClientHello, .peeked(.byte(.tlsHandshake)), .next(.handshaking(.read), [.runHandshake])),
            Row(.awaitingClientHello, .peeked(.byte(.plainHTTP)), .next(.refusingPlainHTTP, [.refusePlainHTTP])),
            Row(.awaitingClientHello, .peeked(.byte(.garbage)), .next(.closed(.garbage), [.close(.garbage)])),
            Row(.awaitingClientHello, .peeked(.nothingYet), .next(.awaitingClientHello, [.waitFor(.read)])),
            Row(.awaitingClientHello, .peeked(.gone), .next(.closed(.clientLeft), [.close(.clientLeft)])),
            Row(.awaitingClientHello, .stepped(.complete), .illegal),
            Row(.awaitingClientHello, .stepped(.wants(.read)), .illegal),
            Row(.awaitingClientHello, .stepped(.wants(.write)), .illegal),
            Row(.awaitingClientHello, .stepped(.failed(.alpnRefused)), .illegal),
            Row(.awaitingClientHello, .deadlinePassed, .next(.closed(.timeout), [.close(.timeout)])),
        ]
        for direction in [Machine.Direction.read, .write] {
            let state = Machine.State.handshaking(direction)
            rows += [
                Row(state, .socketReady, .next(state, [.runHandshake])),
                Row(state, .peeked(.byte(.tlsHandshake)), .illegal),
                Row(state, .peeked(.byte(.plainHTTP)), .illegal),
                Row(state, .peeked(.byte(.garbage)), .illegal),
                Row(state, .peeked(.nothingYet), .illegal),
                Row(state, .peeked(.gone), .illegal),
                Row(state, .stepped(.complete), .next(.established, [.startSession])),
                Row(state, .stepped(.wants(.read)), .next(.handshaking(.read), [.waitFor(.read)])),
                Row(state, .stepped(.wants(.write)), .next(.handshaking(.write), [.waitFor(.write)])),
                Row(state, .stepped(.failed(.alpnRefused)), .next(.closed(.alpnRefused), [.close(.alpnRefused)])),
                Row(state, .deadlinePassed, .next(.closed(.timeout), [.close(.timeout)])),
            ]
        }
        // Once the session owns the connection, or it is closed, nothing reaches this machine.
        for state in [Machine.State.established, .refusingPlainHTTP, .closed(.timeout)] {
            rows += events.map { Row(state, $0, .illegal) }
        }
        return rows
    }

    func testEveryPairHasTheWrittenOutcome() {
        assertCoversEveryPair(Machine.self, states: states, events: events, table: table)
    }

    func testEveryFailureReasonClosesWithThatReason() {
        for reason in [Machine.CloseReason.timeout, .garbage, .alertReceived, .alpnRefused, .handshakeFailed, .clientLeft] {
            XCTAssertEqual(Machine.transition(from: .handshaking(.write), on: .stepped(.failed(reason))),
                           .next(.closed(reason), [.close(reason)]), "\(reason)")
        }
    }

    /// A TLS 1.3 handshake as a worker lives it: the ClientHello is not there at accept, then the
    /// flights go back and forth until the session starts.
    func testAHandshakeThatWaitsForTheClientThenCompletes() {
        var lifecycle = TLSHandshakeLifecycle(deadline: 99)
        XCTAssertEqual(lifecycle.handle(.socketReady), [.peek])
        XCTAssertEqual(lifecycle.handle(.peeked(.nothingYet)), [.waitFor(.read)])
        XCTAssertEqual(lifecycle.handle(.socketReady), [.peek])
        XCTAssertEqual(lifecycle.handle(.peeked(.byte(ConnectionPreamble(firstByte: 0x16)))), [.runHandshake])
        XCTAssertEqual(lifecycle.handle(.stepped(.wants(.write))), [.waitFor(.write)])
        XCTAssertEqual(lifecycle.handle(.socketReady), [.runHandshake])
        XCTAssertEqual(lifecycle.handle(.stepped(.wants(.read))), [.waitFor(.read)])
        XCTAssertEqual(lifecycle.handle(.socketReady), [.runHandshake])
        XCTAssertEqual(lifecycle.handle(.stepped(.complete)), [.startSession])
        XCTAssertEqual(lifecycle.state, .established)
        XCTAssertEqual(lifecycle.deadline, 99)
    }

    func testTheFirstByteDecidesWhoTheClientIs() {
        XCTAssertEqual(ConnectionPreamble(firstByte: 0x16), .tlsHandshake)
        for method in ["GET", "POST", "PUT", "DELETE", "OPTIONS", "PRI", "CONNECT", "A", "Z"] {
            XCTAssertEqual(ConnectionPreamble(firstByte: method.utf8.first!), .plainHTTP, method)
        }
        // An alert record, application data, SSLv2's hello, lower case, control bytes: none of ours.
        for byte: UInt8 in [0x15, 0x17, 0x80, 0x00, 0x03, UInt8(ascii: "g"), UInt8(ascii: "@"), UInt8(ascii: "["), 0xFF] {
            XCTAssertEqual(ConnectionPreamble(firstByte: byte), .garbage, "\(byte)")
        }
    }
}
