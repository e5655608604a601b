import HTTPWire

/// What `cathammer parse` prints, whichever wire format it read: JSON (the report itself), a text
/// form, and an exit status from the outcome.
protocol ParseReport: Encodable {
    /// valid; rejected (a violation) or anomalous (a response stream parsed with anomalies); incomplete
    var outcome: String { get }
    var humanText: String { get }
}

extension ParseReport {
    /// 0 valid, 3 incomplete, 1 rejected or anomalous.
    var exitCode: Int32 {
        switch outcome {
        case "valid": return 0
        case "incomplete": return 3
        default: return 1
        }
    }
}

/// A header or trailer field in a parse report, in the corpus escape notation.
struct ParsedField: Encodable {
    var name: String
    var value: String
    /// HTTP/2 only: indexed, incremental-indexing, without-indexing or never-indexed (RFC 7541 §6).
    var representation: String?

    init(_ field: HeaderField, representation: String? = nil) {
        name = ByteEscapes.encode(field.name)
        value = ByteEscapes.encode(field.value)
        self.representation = representation
    }

    static func list(_ fields: [HeaderField]) -> [ParsedField] { fields.map { ParsedField($0) } }
}
