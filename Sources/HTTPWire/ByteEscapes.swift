/// The escape notation corpus files, reports and `cathammer parse --escaped` use for raw bytes:
/// `\r \n \t \0 \\ \xNN`; every other character stands for its UTF-8 bytes.
public enum ByteEscapes {
    public struct DecodingError: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid escape at character \(offset): \(message)" }
    }

    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard byte == ASCII.backslash else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < utf8.count else { throw DecodingError(offset: index, message: "lone backslash at the end") }
            switch utf8[index + 1] {
            case UInt8(ascii: "r"): out.append(ASCII.cr)
            case UInt8(ascii: "n"): out.append(ASCII.lf)
            case UInt8(ascii: "t"): out.append(ASCII.tab)
            case UInt8(ascii: "0"): out.append(0)
            case ASCII.backslash: out.append(ASCII.backslash)
            case UInt8(ascii: "x"):
                let table = ByteClass.table
                guard index + 3 < utf8.count, table[Int(utf8[index + 2])].contains(.hexDigit),
                      table[Int(utf8[index + 3])].contains(.hexDigit)
                else { throw DecodingError(offset: index, message: "\\x needs two hex digits") }
                out.append(UInt8(ASCII.hexValue(utf8[index + 2]) << 4 | ASCII.hexValue(utf8[index + 3])))
                index += 2
            default:
                throw DecodingError(offset: index, message: "unknown escape \\\(Character(Unicode.Scalar(utf8[index + 1])))")
            }
            index += 2
        }
        return out
    }

    /// Printable ASCII stays as it is; everything else is escaped, so the text round-trips through `decode`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        for byte in bytes {
            switch byte {
            case ASCII.cr: out += "\\r"
            case ASCII.lf: out += "\\n"
            case ASCII.tab: out += "\\t"
            case ASCII.backslash: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789abcdef")
                out += "\\x\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
