import Foundation
import HTTPWire

/// `<ID>.sh` beside a finding: a bash script that replays the finding's writes to a server and
/// prints the answer as a hex dump. It needs bash (its `/dev/tcp`), coreutils' `timeout` and `xxd`,
/// which a fresh Debian has after `make deps`; no nc, which no make target installs. Over TLS the
/// writes go through `openssl s_client` instead, as `/dev/tcp` has no TLS.
///
/// The answer is read while the writes go out (as nc did), so a server that answers and closes
/// before the last write is still heard. bash cannot half-close a socket: where the corpus case
/// half-closes, the script instead reads for `answerWait` seconds after the last write.
public enum ReproducerScript {
    /// Seconds between two writes, so the server reads them apart (the write boundaries of a
    /// minimized finding can matter).
    static let pause = 0.1
    /// Seconds the answer is read for after the last write.
    static let answerWait = 2.0

    /// The whole file: shebang, the finding in one comment line, how to aim it elsewhere, the script.
    public static func file(comment: String, writes: [[UInt8]], endpoint: Endpoint) -> String {
        "#!/bin/bash\n# \(comment)\n" + body(writes: writes, endpoint: endpoint)
    }

    /// The script without its header: HOST and PORT default to the server of the run that found it.
    public static func body(writes: [[UInt8]], endpoint: Endpoint) -> String {
        let writes = writes.filter { !$0.isEmpty }
        let printfs = writes.map { "printf '\(printfFormat($0))'" }
        var lines = [
            "# HOST=… PORT=… aim it at another server (the bytes keep the original Host or :authority).",
            "HOST=${HOST:-\(endpoint.host)}",
            "PORT=${PORT:-\(endpoint.port)}",
        ]
        if let settings = endpoint.tls?.settings {
            let connect = endpoint.host.contains(":") ? "\"[$HOST]:$PORT\"" : "\"$HOST:$PORT\""
            let sends = printfs.joined(separator: "; sleep \(seconds(pause)); ")
            lines.append("(\(sends); sleep \(seconds(answerWait))) | openssl s_client -quiet -connect \(connect)"
                         + (settings.serverName.map { " -servername \($0)" } ?? " -noservername")
                         + (settings.alpn.isEmpty ? "" : " -alpn \(settings.alpn.joined(separator: ","))") + " | xxd")
            return lines.joined(separator: "\n") + "\n"
        }
        let reading = pause * Double(max(writes.count - 1, 0)) + answerWait
        lines += [
            "# A server that closes early makes a later write fail; the answer is still read.",
            "trap '' PIPE",
            "exec 3<>\"/dev/tcp/$HOST/$PORT\" || exit 1",
            "timeout \(seconds(reading)) cat <&3 | xxd &",
        ]
        for (index, send) in printfs.enumerated() {
            if index > 0 { lines.append("sleep \(seconds(pause))") }
            lines.append(send + " >&3")
        }
        lines.append("wait")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The line a corpus case's comment gives: which file to run and whom it was written for.
    public static func invocation(id: String, endpoint: Endpoint) -> String {
        "bash \(id).sh (written for \(endpoint.authority); HOST=… PORT=… bash \(id).sh aims it at another server)"
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// The bytes as printf's format inside single quotes: C escapes for control bytes and bytes
    /// above 0x7E (octal, which every printf reads), `%%` for a percent sign, `'\''` for a quote.
    public static func printfFormat(_ bytes: [UInt8]) -> String {
        var format = ""
        for byte in bytes {
            switch byte {
            case 0x0D: format += "\\r"
            case 0x0A: format += "\\n"
            case 0x09: format += "\\t"
            case 0x5C: format += "\\\\"
            case 0x25: format += "%%"
            case 0x27: format += "'\\''"
            case 0x20...0x7E: format.unicodeScalars.append(Unicode.Scalar(byte))
            default: format += "\\" + String(repeating: "0", count: 3 - String(byte, radix: 8).count) + String(byte, radix: 8)
            }
        }
        return format
    }
}
