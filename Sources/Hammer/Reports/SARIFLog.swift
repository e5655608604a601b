import Foundation

/// The part of SARIF 2.1.0 (OASIS; schema vendored in reports/schema/sarif-schema-2.1.0.json) that
/// cathammer writes, for GitHub code scanning and other SARIF consumers. A run of any kind (corpus,
/// fuzz, and later chains) describes its checks as rules and its findings as results; this type
/// knows nothing of corpus cases or fuzz findings.
public struct SARIFLog: Encodable, Sendable {
    public static let schemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// What a result's relative location is relative to: GitHub code scanning reads it as the
    /// repository's root, other consumers as the folder the run was made in.
    public static let sourceRoot = "%SRCROOT%"

    var schema = schemaURI
    var version = "2.1.0"
    var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema", version, runs
    }

    public init(run: Run) { runs = [run] }

    /// Pretty, key-sorted JSON: stable for diffs and tests.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public enum Level: String, Encodable, Sendable {
        case error, warning, note
    }

    /// A message in plain text and, where it helps, Markdown (SARIF's message and
    /// multiformatMessageString have this shape).
    public struct Text: Encodable, Sendable, Equatable {
        public var text: String
        public var markdown: String?

        public init(_ text: String, markdown: String? = nil) {
            self.text = text
            self.markdown = markdown
        }
    }

    /// A property bag: tags plus string, number or list values.
    public struct Properties: Encodable, Sendable, Equatable {
        public enum Value: Encodable, Sendable, Equatable {
            case string(String), int(Int), strings([String])

            public func encode(to encoder: Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .string(let value): try container.encode(value)
                case .int(let value): try container.encode(value)
                case .strings(let value): try container.encode(value)
                }
            }
        }

        public var tags: [String]
        public var values: [String: Value]

        public init(tags: [String] = [], _ values: [String: Value] = [:]) {
            self.tags = tags
            self.values = values
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            if !tags.isEmpty { try container.encode(tags, forKey: Key(stringValue: "tags")) }
            for (key, value) in values { try container.encode(value, forKey: Key(stringValue: key)) }
        }
    }

    /// One check the tool makes (SARIF's reportingDescriptor).
    public struct Rule: Encodable, Sendable {
        struct Configuration: Encodable, Sendable {
            var level: Level
        }

        public var id: String
        public var name: String
        public var shortDescription: Text
        public var fullDescription: Text?
        public var help: Text?
        public var helpUri: String?
        var defaultConfiguration: Configuration
        public var properties: Properties?

        public init(id: String, name: String, title: String, description: String?, help: Text?, helpURI: String?,
                    level: Level, properties: Properties?) {
            self.id = id
            self.name = name
            shortDescription = Text(title)
            fullDescription = description.map { Text($0) }
            self.help = help
            helpUri = helpURI
            defaultConfiguration = Configuration(level: level)
            self.properties = properties
        }
    }

    /// A file a result points at: a path relative to `sourceRoot`, or an absolute `file:` URI.
    public struct ArtifactLocation: Encodable, Sendable, Equatable {
        public var uri: String
        public var uriBaseId: String?

        /// The location of a file named by a path as the run saw it: relative paths (and absolute
        /// ones inside `workingDirectory`) become relative URIs under `sourceRoot`, others `file:` URIs.
        public static func file(_ path: String, workingDirectory: String) -> ArtifactLocation {
            var relative = path
            if path.hasPrefix("/") {
                let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
                guard path.hasPrefix(base) else { return ArtifactLocation(uri: "file://" + encoded(path), uriBaseId: nil) }
                relative = String(path.dropFirst(base.count))
            }
            while relative.hasPrefix("./") { relative.removeFirst(2) }
            return ArtifactLocation(uri: encoded(relative), uriBaseId: SARIFLog.sourceRoot)
        }

        static func encoded(_ path: String) -> String {
            path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        }
    }

    public struct Location: Encodable, Sendable, Equatable {
        struct Physical: Encodable, Sendable, Equatable {
            struct Region: Encodable, Sendable, Equatable {
                var startLine: Int
            }

            var artifactLocation: ArtifactLocation
            var region: Region
        }

        var physicalLocation: Physical

        /// The first line of a file: a result is about the whole case file.
        public init(_ artifact: ArtifactLocation) {
            physicalLocation = Physical(artifactLocation: artifact, region: .init(startLine: 1))
        }
    }

    /// Why a result is accepted: SARIF's suppression, here always a baseline kept outside the code.
    struct Suppression: Encodable, Sendable {
        var kind = "external"
        var status = "accepted"
        var justification: String
    }

    public enum BaselineState: String, Encodable, Sendable {
        case new, unchanged
    }

    /// One finding (SARIF's result), at one location.
    public struct Result: Encodable, Sendable {
        public var ruleId: String
        public var ruleIndex: Int
        var kind = "fail"
        public var level: Level
        public var message: Text
        public var locations: [Location]
        public var partialFingerprints: [String: String]
        public var baselineState: BaselineState?
        var suppressions: [Suppression]?
        public var properties: Properties?

        /// `fingerprint` identifies the finding across runs (GitHub keeps one alert per fingerprint);
        /// `accepted` says why a baseline accepts it.
        public init(ruleID: String, ruleIndex: Int, level: Level, message: Text, location: Location, fingerprint: String,
                    baselineState: BaselineState? = nil, accepted: String? = nil, properties: Properties? = nil) {
            ruleId = ruleID
            self.ruleIndex = ruleIndex
            self.level = level
            self.message = message
            locations = [location]
            partialFingerprints = ["cathammerFinding/v1": fingerprint]
            self.baselineState = baselineState
            suppressions = accepted.map { [Suppression(justification: $0)] }
            self.properties = properties
        }
    }

    /// A condition of the run itself (SARIF's notification), such as a case the harness could not run.
    public struct Notification: Encodable, Sendable {
        public var level: Level
        public var message: Text

        public init(level: Level, message: String) {
            self.level = level
            self.message = Text(message)
        }
    }

    public struct Invocation: Encodable, Sendable {
        var executionSuccessful: Bool
        var startTimeUtc: String
        var toolExecutionNotifications: [Notification]

        public init(started: Date, notifications: [Notification]) {
            startTimeUtc = ISO8601DateFormatter().string(from: started)
            toolExecutionNotifications = notifications
            executionSuccessful = !notifications.contains { $0.level == .error }
        }
    }

    public struct Run: Encodable, Sendable {
        struct Tool: Encodable, Sendable {
            struct Driver: Encodable, Sendable {
                var name = "cathammer"
                var version: String
                var rules: [Rule]
            }

            var driver: Driver
        }

        struct AutomationDetails: Encodable, Sendable {
            var id: String
        }

        var tool: Tool
        var automationDetails: AutomationDetails
        var invocations: [Invocation]
        var results: [Result]
        var columnKind = "unicodeCodePoints"
        var properties: Properties?

        /// `category` tells runs apart for a consumer that keeps alerts per category (GitHub code
        /// scanning: one per target and kind of run, e.g. `cathammer-corpus/nginx`).
        public init(version: String, category: String, rules: [Rule], results: [Result], invocation: Invocation,
                    properties: Properties?) {
            tool = Tool(driver: .init(version: version, rules: rules))
            automationDetails = AutomationDetails(id: category + "/")
            invocations = [invocation]
            self.results = results
            self.properties = properties
        }
    }
}
