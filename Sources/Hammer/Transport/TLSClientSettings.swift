/// What a TLS client offers and checks, chosen once per run: the server name (SNI), the ALPN
/// protocols, and how the server's certificate is verified.
public struct TLSClientSettings: Sendable, Equatable {
    public enum Verification: Sendable, Equatable, CustomStringConvertible {
        /// No verification (`--insecure`): any certificate, any name.
        case none
        /// The system's trust store and the target's name (RFC 9110 §4.3.4).
        case systemStore
        /// The CA certificates in a PEM file (`--ca`) and the target's name.
        case authorities(file: String)

        public var description: String {
            switch self {
            case .none: return "none (--insecure)"
            case .systemStore: return "system trust store"
            case .authorities(let file): return "CA file \(file)"
            }
        }
    }

    /// The name sent in the server_name extension; nil sends none (an IP address target).
    public var serverName: String?
    /// The protocols offered, the client's preference first.
    public var alpn: [String]
    public var verification: Verification

    public init(serverName: String?, alpn: [String] = ["http/1.1"], verification: Verification = .systemStore) {
        self.serverName = serverName
        self.alpn = alpn
        self.verification = verification
    }

    /// The SNI a target gets by default: its host when that is a name. RFC 6066 §3: "Literal IPv4
    /// and IPv6 addresses are not permitted in "HostName"."
    public static func defaultServerName(host: String) -> String? {
        (try? checkServerName(host)) == nil ? nil : host
    }

    /// RFC 6066 §3: an ASCII host name without a trailing dot, never an address literal.
    @discardableResult
    public static func checkServerName(_ name: String) throws(TLSSettingProblem) -> String {
        func refuse(_ why: String) -> TLSSettingProblem {
            TLSSettingProblem(setting: .serverName, value: name, reason: why, rfc: "RFC 6066 §3")
        }
        if name.isEmpty || name.utf8.count > 253 { throw refuse("a host name has 1 to 253 characters") }
        if name.hasSuffix(".") { throw refuse("a host name is sent without a trailing dot") }
        if name.contains(":") || (name.split(separator: ".").count == 4 && name.split(separator: ".").allSatisfy { UInt8($0) != nil }) {
            throw refuse("an IP address literal is not a server name")
        }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard (1...63).contains(label.utf8.count),
                  label.utf8.allSatisfy({ ASCIIName.isLetterOrDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
            else { throw refuse("'\(label)' is not a DNS label (letters, digits, '-', 1 to 63 characters)") }
        }
        return name
    }

    /// `h2,http/1.1` → ["h2", "http/1.1"]. RFC 7301 §3.1: protocol names are non-empty and at most
    /// 255 bytes; here also printable ASCII without commas or spaces, as a command line gives them.
    public static func alpnList(_ text: String) throws(TLSSettingProblem) -> [String] {
        let names = CommaList.items(text)
        if names.isEmpty {
            throw TLSSettingProblem(setting: .alpn, value: text, reason: "no protocol name", rfc: "RFC 7301 §3.1")
        }
        for name in names {
            guard !name.isEmpty, name.utf8.count <= 255, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw TLSSettingProblem(setting: .alpn, value: text,
                                        reason: "'\(name)' is not a protocol name (1 to 255 printable characters, comma-separated)",
                                        rfc: "RFC 7301 §3.1")
            }
        }
        return names
    }

    /// The ALPN extension's list: each name prefixed by its length (RFC 7301 §3.1).
    var alpnWireFormat: [UInt8] { alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } }
}

/// Byte classes for names on the command line.
enum ASCIIName {
    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
