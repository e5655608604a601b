import CathammerContract
import XCTest
@testable import Hammer

/// Every (state, event) pair of a client connection's life, with the outcome written out by hand.
final class ClientConnectionLifecycleTests: XCTestCase {
    typealias Machine = ClientConnectionLifecycle
    typealias Outcome = Transition<Machine.State, Machine.Action>

    private let states: [Machine.State] = [.connecting, .handshaking, .open(tls: false), .open(tls: true),
                                           .writeShut(tls: false), .writeShut(tls: true), .closed]
    private let events: [Machine.Event] = [.connected(tls: false), .connected(tls: true), .handshakeFinished, .connectFailed,
                                           .send, .receive, .halfClose, .close]

    /// The table, state by state; a pair not listed for a state is illegal.
    private func expected(_ state: Machine.State, _ event: Machine.Event) -> Outcome {
        let legal: [Machine.Event: Outcome]
        switch state {
        case .connecting:
            legal = [.connected(tls: false): .next(.open(tls: false), []), .connected(tls: true): .next(.handshaking, [.startHandshake]),
                     .connectFailed: .next(.closed, [.release])]
        case .handshaking:
            legal = [.handshakeFinished: .next(.open(tls: true), []), .connectFailed: .next(.closed, [.release])]
        case .open(let tls):
            legal = [.send: .next(state, [.write]), .receive: .next(state, [.read]),
                     .halfClose: .next(.writeShut(tls: tls), tls ? [.sendCloseNotify, .shutdownWrite] : [.shutdownWrite]),
                     .close: .next(.closed, [.release])]
        case .writeShut:
            legal = [.send: .next(state, [.refuseWrite]), .receive: .next(state, [.read]), .halfClose: .next(state, []),
                     .close: .next(.closed, [.release])]
        case .closed:
            legal = [:]
        }
        return legal[event] ?? .illegal
    }

    func testEveryPairHasTheWrittenOutcome() {
        for state in states {
            for event in events {
                XCTAssertEqual(Machine.transition(from: state, on: event), expected(state, event), "\(state) on \(event)")
                XCTAssertEqual(Machine.isLegal(state, on: event), expected(state, event) != .illegal, "legality of \(state) on \(event)")
            }
        }
    }

    /// A case that half-closes over TLS, as ClientConnection lives it.
    func testATLSCaseSendsHalfClosesReadsAndCloses() {
        var state = Machine.State.connecting
        XCTAssertEqual(Machine.apply(.connected(tls: true), to: &state), [.startHandshake])
        XCTAssertEqual(Machine.apply(.handshakeFinished, to: &state), [])
        XCTAssertEqual(Machine.apply(.send, to: &state), [.write])
        XCTAssertEqual(Machine.apply(.halfClose, to: &state), [.sendCloseNotify, .shutdownWrite], "close_notify before SHUT_WR")
        XCTAssertEqual(Machine.apply(.send, to: &state), [.refuseWrite], "bytes after a half-close could never leave")
        XCTAssertEqual(Machine.apply(.receive, to: &state), [.read], "the answer is still read")
        XCTAssertEqual(Machine.apply(.close, to: &state), [.release])
        XCTAssertEqual(state, .closed)
    }
}
