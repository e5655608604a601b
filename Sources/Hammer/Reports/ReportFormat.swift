/// The report files a run can write, each under a fixed name in the run's folder.
public enum ReportFormat: String, Sendable, CaseIterable {
    case json, junit, html, md, sarif

    /// What a command writes when --format is not given (SARIF is written on request).
    public static let defaults: [ReportFormat] = [.json, .junit, .html, .md]

    public var fileName: String {
        switch self {
        case .json: return "report.json"
        case .junit: return "junit.xml"
        case .html: return "index.html"
        case .md: return "summary.md"
        case .sarif: return "report.sarif"
        }
    }
}
