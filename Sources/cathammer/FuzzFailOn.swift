import ArgumentParser
import Hammer

/// `fuzz --fail-on`: the finding classes that make the exit status 1, comma-separated, or `none`.
struct FuzzFailOn: ExpressibleByArgument {
    static let noneName = "none"

    var classes: [FindingClass]

    init(_ classes: [FindingClass]) { self.classes = classes }

    init?(argument: String) {
        let named = CommaList.items(argument).filter { $0 != Self.noneName }
        guard let classes = CommaList.values(named, as: FindingClass.self) else { return nil }
        self.classes = classes
    }

    static var allValueStrings: [String] { FindingClass.allValueStrings + [noneName] }

    var defaultValueDescription: String { classes.isEmpty ? Self.noneName : CommaList.text(classes) }
}
