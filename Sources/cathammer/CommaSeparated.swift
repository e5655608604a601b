import ArgumentParser
import Hammer

/// A flag that lists values of a closed set, comma-separated (`--format json,html`). A name outside
/// the set is refused by the parser, which then lists the valid names (exit code 2).
struct CommaSeparated<Value>: ExpressibleByArgument
where Value: RawRepresentable & CaseIterable & ExpressibleByArgument, Value.RawValue == String {
    var values: [Value]

    init(_ values: [Value]) { self.values = values }

    init?(argument: String) {
        guard let values = CommaList.values(CommaList.items(argument), as: Value.self) else { return nil }
        self.values = values
    }

    static var allValueStrings: [String] { Value.allValueStrings }

    var defaultValueDescription: String { CommaList.text(values) }

    func contains(_ value: Value) -> Bool where Value: Equatable { values.contains(value) }
}
