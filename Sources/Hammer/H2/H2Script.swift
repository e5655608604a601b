import Foundation
import HTTP2Wire

/// Which protocol a corpus case speaks: HTTP/1.1 bytes, or HTTP/2 frames (`protocol: h2`).
public enum WireProtocol: String, Sendable, CaseIterable {
    case h1, h2
}

/// The HTTP/2 part of a corpus case: how the connection opens and what the client does on it
/// (schema: corpus/README.md, "HTTP/2 cases").
public struct H2Script: Sendable, Equatable {
    public enum Opening: String, Sendable, Equatable {
        /// As h2spec does: the preface and a SETTINGS frame in one write, the server's SETTINGS
        /// awaited and acknowledged, the acknowledgement of ours awaited.
        case standard
        /// Nothing: the steps write the preface themselves (the preface cases).
        case none
    }

    public var opening: Opening
    /// The SETTINGS the standard opening sends (empty: the RFC's initial values hold).
    public var clientSettings: [HTTP2Setting]
    public var steps: [H2Step]

    public init(opening: Opening = .standard, clientSettings: [HTTP2Setting] = [], steps: [H2Step]) {
        self.opening = opening
        self.clientSettings = clientSettings
        self.steps = steps
    }
}

/// One step of an HTTP/2 case, in order on one connection.
public enum H2Step: Sendable, Equatable {
    /// One write (one TLS record over TLS): frames and raw bytes back to back.
    case write(H2Write)
    case pause(milliseconds: Int)
    /// Read until the server has sent what the condition names (or the case timeout passes).
    case wait(H2WaitCondition)
    case halfClose
}

/// The bytes of one write.
public struct H2Write: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case frame(H2FrameSpec)
        case raw([UInt8])
    }

    public var parts: [Part]
    /// The parts are written this many times in the same write (floods).
    public var repeatCount = 1
    /// Added to every non-zero stream id on each repetition (2 opens a new client stream each time).
    public var streamStep: UInt32 = 0
    /// One byte per write instead of one write.
    public var bytewise = false

    public init(parts: [Part], repeatCount: Int = 1, streamStep: UInt32 = 0, bytewise: Bool = false) {
        self.parts = parts
        self.repeatCount = repeatCount
        self.streamStep = streamStep
        self.bytewise = bytewise
    }
}

/// What a `wait` step waits for.
public enum H2WaitCondition: Sendable, Equatable, CustomStringConvertible {
    /// A SETTINGS frame without ACK.
    case settings
    /// An ACK of every SETTINGS frame the client has sent (the opening's included).
    case settingsAck
    /// An ACK of every PING the case sent so far.
    case pingAck
    /// A HEADERS frame on the stream.
    case headers(UInt32)
    /// END_STREAM from the server on the stream (its response is complete).
    case endStream(UInt32)

    public init?(_ text: String) {
        let words = text.split(separator: " ").map(String.init)
        switch (words.first, words.count) {
        case ("SETTINGS", 1): self = .settings
        case ("SETTINGS_ACK", 1): self = .settingsAck
        case ("PING_ACK", 1): self = .pingAck
        case ("HEADERS", 2):
            guard let id = UInt32(words[1]), id > 0 else { return nil }
            self = .headers(id)
        case ("END_STREAM", 2):
            guard let id = UInt32(words[1]), id > 0 else { return nil }
            self = .endStream(id)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .settings: return "SETTINGS"
        case .settingsAck: return "SETTINGS_ACK"
        case .pingAck: return "PING_ACK"
        case .headers(let id): return "HEADERS \(id)"
        case .endStream(let id): return "END_STREAM \(id)"
        }
    }
}

/// A length or count in a frame that may follow the server's settings: `max_frame_size+1` sends a
/// frame one byte over whatever the server announced, as h2spec does.
public struct H2Size: Sendable, Equatable, CustomStringConvertible {
    public enum Base: String, Sendable, Equatable {
        case literal
        case maxFrameSize = "max_frame_size"
        case initialWindowSize = "initial_window_size"
    }

    public var base: Base
    public var offset: Int

    public init(_ value: Int) {
        base = .literal
        offset = value
    }

    public init(base: Base, offset: Int) {
        self.base = base
        self.offset = offset
    }

    /// `123`, `max_frame_size`, `max_frame_size+1`, `initial_window_size-1`.
    public init?(_ text: String) {
        let trimmed = text.replacingOccurrences(of: " ", with: "")
        if let value = Int(trimmed) ?? Self.hex(trimmed) {
            self.init(value)
            return
        }
        for base in [Base.maxFrameSize, .initialWindowSize] where trimmed.hasPrefix(base.rawValue) {
            let rest = trimmed.dropFirst(base.rawValue.count)
            if rest.isEmpty {
                self.init(base: base, offset: 0)
                return
            }
            guard let sign = rest.first, sign == "+" || sign == "-", let amount = Int(rest.dropFirst()) else { return nil }
            self.init(base: base, offset: sign == "+" ? amount : -amount)
            return
        }
        return nil
    }

    static func hex(_ text: String) -> Int? {
        guard text.hasPrefix("0x") else { return nil }
        return Int(text.dropFirst(2), radix: 16)
    }

    /// The number against a server that announced `peer`.
    public func resolve(_ peer: HTTP2Settings) -> Int {
        switch base {
        case .literal: return offset
        case .maxFrameSize: return Int(peer.maxFrameSize) + offset
        case .initialWindowSize: return Int(peer.initialWindowSize) + offset
        }
    }

    public var description: String {
        switch base {
        case .literal: return String(offset)
        default: return base.rawValue + (offset == 0 ? "" : offset > 0 ? "+\(offset)" : "\(offset)")
        }
    }
}
