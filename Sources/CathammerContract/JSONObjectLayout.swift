/// A flat JSON object whose keys are written in one fixed order. `JSONEncoder` promises no order
/// unless it sorts, and the stats keys were never sorted: people diff two snapshots by eye, and
/// the order groups what belongs together. The layout is the one list of keys, shared by the
/// Foundation-free writer the server uses and by the `Codable` conformance the harness decodes with.
protocol JSONObjectLayout {
    static var layout: [(key: String, field: JSONLayoutField<Self>)] { get }
}

enum JSONLayoutField<Root> {
    case integer(WritableKeyPath<Root, Int>)
    case text(WritableKeyPath<Root, String>)
}

struct JSONLayoutKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension JSONObjectLayout {
    /// Absent keys keep their defaults, so a harness can read a server one counter older or newer.
    mutating func decodeLayout(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: JSONLayoutKey.self)
        for (key, field) in Self.layout {
            switch field {
            case .integer(let path):
                if let value = try container.decodeIfPresent(Int.self, forKey: JSONLayoutKey(key)) { self[keyPath: path] = value }
            case .text(let path):
                if let value = try container.decodeIfPresent(String.self, forKey: JSONLayoutKey(key)) { self[keyPath: path] = value }
            }
        }
    }

    func encodeLayout(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONLayoutKey.self)
        for (key, field) in Self.layout {
            switch field {
            case .integer(let path): try container.encode(self[keyPath: path], forKey: JSONLayoutKey(key))
            case .text(let path): try container.encode(self[keyPath: path], forKey: JSONLayoutKey(key))
            }
        }
    }

    /// Compact JSON, keys in layout order.
    var jsonText: String {
        let members = Self.layout.map { key, field in
            switch field {
            case .integer(let path): return JSONText.quoted(key) + ":" + String(self[keyPath: path])
            case .text(let path): return JSONText.quoted(key) + ":" + JSONText.quoted(self[keyPath: path])
            }
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
