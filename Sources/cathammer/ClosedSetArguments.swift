import ArgumentParser
import Hammer
import PreforkServer

// The closed sets of the modules, as flag values: the parser refuses any other name and lists these.
// (The modules do not import ArgumentParser, so the conformances live here.)

extension AcceptMode: ExpressibleByArgument {}
extension FragmentMode: ExpressibleByArgument {}
extension CorpusLevel: ExpressibleByArgument {}
extension CorpusCase.Requirement: ExpressibleByArgument {}
extension TrafficKind: ExpressibleByArgument {}
extension FindingClass: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

extension ReloadKind: ExpressibleByArgument {
    /// `--reload` names the drills; `command` and `signal` are chosen by --reload-cmd and --reload-signal.
    static let namedByReloadFlag = allCases.filter { $0 != .command && $0 != .signal }

    public init?(argument: String) {
        guard let kind = ReloadKind(rawValue: argument), Self.namedByReloadFlag.contains(kind) else { return nil }
        self = kind
    }

    public static var allValueStrings: [String] { namedByReloadFlag.map(\.rawValue) }
}
