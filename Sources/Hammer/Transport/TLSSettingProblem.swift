/// A TLS setting that cannot be used, with the rule it breaks.
public struct TLSSettingProblem: Error, CustomStringConvertible, Equatable {
    public enum Setting: String, Sendable {
        case serverName, alpn, authorities
    }

    public var setting: Setting
    public var value: String
    public var reason: String
    /// The rule that refuses the value (nil when it is a file that cannot be read).
    public var rfc: String?

    /// The reason and the rule; the command layer puts the flag and the value in front.
    public var description: String { reason + (rfc.map { " (\($0))" } ?? "") }
}

