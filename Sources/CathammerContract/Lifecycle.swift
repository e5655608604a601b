/// What one event does in one state of a `Lifecycle`: the next state and what its owner must do,
/// or nothing at all because the pair cannot happen unless the owner has a bug.
public enum Transition<State: Equatable, Action: Equatable>: Equatable {
    case next(State, [Action])
    case illegal
}

/// A lifecycle written as one pure table, in the style of swift-nio's typed state machines: every
/// event switches on the current state and returns the actions for the owner to execute, so the
/// table can be tested pair by pair without processes or sockets. Both halves write theirs this
/// way (the server's connections, retirements and rolls; the harness's client connections).
public protocol Lifecycle {
    associatedtype State: Equatable
    associatedtype Event
    associatedtype Action: Equatable

    static func transition(from state: State, on event: Event) -> Transition<State, Action>
}

extension Lifecycle {
    /// The non-trapping question the table tests ask.
    public static func isLegal(_ state: State, on event: Event) -> Bool {
        transition(from: state, on: event) != .illegal
    }

    /// Moves `state` on. An illegal pair is a bug in the owner: debug builds trap naming both; a
    /// release build keeps the state and does nothing rather than guess.
    public static func apply(_ event: Event, to state: inout State) -> [Action] {
        switch transition(from: state, on: event) {
        case .next(let next, let actions):
            state = next
            return actions
        case .illegal:
            assertionFailure("\(Self.self): illegal event \(event) in state \(state)")
            return []
        }
    }
}
