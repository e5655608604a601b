import Foundation

/// A `--target HOST:PORT` value: a host name, an IPv4 address or a bracketed IPv6 address, and a port.
struct TargetAddress {
    var host: String
    var port: UInt16

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw UsageError(message: "--target '\(text)' is not HOST:PORT")
        }
        host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}
