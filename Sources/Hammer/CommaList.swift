/// A flag value that lists names of a closed set, comma-separated (`--format json,html`,
/// `--mix keepalive,fresh`): the order is kept and so are repeats (a mix hands kinds out in turn).
public enum CommaList {
    /// The items, each without surrounding white space; empty items (`a,,b`, a trailing comma) are dropped.
    public static func items(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    /// Every item as a value, or nil when one of them is not a name of the set.
    public static func values<Value: RawRepresentable>(_ items: [String], as _: Value.Type = Value.self) -> [Value]?
    where Value.RawValue == String {
        var values: [Value] = []
        for item in items {
            guard let value = Value(rawValue: item) else { return nil }
            values.append(value)
        }
        return values
    }

    /// The text a list of values is written as: the inverse of `values(items(_:))`.
    public static func text<Value: RawRepresentable>(_ values: [Value]) -> String where Value.RawValue == String {
        values.map(\.rawValue).joined(separator: ",")
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
