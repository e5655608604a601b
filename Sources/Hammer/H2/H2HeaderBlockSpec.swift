import HTTP2Wire
import HTTPWire

/// A field block as a case writes it: a field list encoded without touching the dynamic table (so
/// every block stands alone and the bytes are the same in every run), raw HPACK bytes, or builder
/// operations that can write any representation, invalid ones included (RFC 7541).
public enum H2HeaderBlockSpec: Sendable, Equatable {
    case fields([H2Field])
    case hpack([UInt8])
    case operations([H2BlockOperation])

    /// The block's bytes; `{host}` in a name or value is the target's authority.
    public func encode(context: H2EncodingContext) -> [UInt8] {
        switch self {
        case .fields(let fields):
            var encoder = HPACKEncoder(policy: .noIndexing, huffman: .never)
            var out: [UInt8] = []
            for field in fields {
                let name = CorpusCase.fillHost(field.name, host: context.authority)
                let value = CorpusCase.fillHost(field.value, host: context.authority)
                name.withUnsafeBytes { name in value.withUnsafeBytes { value in encoder.append(name: name, value: value, into: &out) } }
            }
            return out
        case .hpack(let bytes):
            return bytes
        case .operations(let operations):
            var builder = HeaderBlockBuilder()
            for operation in operations { operation.apply(to: &builder, authority: context.authority) }
            return builder.bytes
        }
    }

    /// The fields as text for reports, or the hex of a raw block.
    public var summary: String {
        switch self {
        case .fields(let fields): return "[" + fields.map(\.description).joined(separator: ", ") + "]"
        case .hpack(let bytes): return "hpack " + H2Hex.encode(bytes)
        case .operations(let operations): return "hpack ops [" + operations.map(\.description).joined(separator: ", ") + "]"
        }
    }
}

/// A field as sent: any bytes in the name and the value (escapes decoded).
public struct H2Field: Sendable, Equatable, CustomStringConvertible {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(_ name: String, _ value: String) {
        self.name = Array(name.utf8)
        self.value = Array(value.utf8)
    }

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public var description: String { ByteEscapes.encode(name[...]) + ": " + ByteEscapes.encode(value[...]) }

    /// The request pseudo-header fields of `METHOD PATH` (RFC 9113 §8.3.1): :method, :scheme http,
    /// :path, :authority {host}.
    public static func request(method: String, path: String) -> [H2Field] {
        [H2Field(":method", method), H2Field(":scheme", "http"), H2Field(":path", path), H2Field(":authority", "{host}")]
    }
}

/// One HPACK builder operation (RFC 7541 §6).
public enum H2BlockOperation: Sendable, Equatable, CustomStringConvertible {
    /// §6.1, any index (0 and past both tables included).
    case indexed(Int)
    /// §6.2 with a literal or indexed name; `huffman` codes both strings; `valueBits` writes the value
    /// as this Huffman bit string instead (bad padding, EOS inside).
    case literal(indexing: HeaderBlockBuilder.Literal, name: LiteralName, value: [UInt8], huffman: Bool, valueBits: String?)
    /// §6.3, wherever it stands.
    case sizeUpdate(Int)
    /// Bytes as they are.
    case raw([UInt8])

    public enum LiteralName: Sendable, Equatable {
        case index(Int)
        case text([UInt8])
    }

    func apply(to builder: inout HeaderBlockBuilder, authority: String) {
        switch self {
        case .indexed(let index):
            builder.indexed(index)
        case .literal(let indexing, let name, let value, let huffman, let bits):
            let filled = CorpusCase.fillHost(value, host: authority)
            let valueForm: HeaderBlockBuilder.StringForm = bits.map { .huffmanBits($0) } ?? (huffman ? .huffman(filled) : .raw(filled))
            switch name {
            case .index(let index):
                builder.literal(indexing, name: .index(index), value: valueForm)
            case .text(let text):
                builder.literal(indexing, name: .literal(huffman ? .huffman(text) : .raw(text)), value: valueForm)
            }
        case .sizeUpdate(let size):
            builder.sizeUpdate(size)
        case .raw(let bytes):
            builder.raw(bytes)
        }
    }

    public var description: String {
        switch self {
        case .indexed(let index): return "indexed \(index)"
        case .literal(let indexing, let name, let value, let huffman, let bits):
            let nameText: String
            switch name {
            case .index(let index): nameText = "#\(index)"
            case .text(let text): nameText = ByteEscapes.encode(text[...])
            }
            let valueText = bits.map { "bits " + $0 } ?? ByteEscapes.encode(value[...])
            return "literal(\(indexing)\(huffman ? ", huffman" : "")) \(nameText): \(valueText)"
        case .sizeUpdate(let size): return "size update \(size)"
        case .raw(let bytes): return "raw " + H2Hex.encode(bytes)
        }
    }
}

/// Hex as corpus files write raw HPACK and payloads: pairs of digits, spaces allowed.
public enum H2Hex {
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = text.unicodeScalars.filter { $0 != " " && $0 != "\n" && $0 != "\t" }.map(Character.init)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            out.append(byte)
            index += 2
        }
        return out
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
