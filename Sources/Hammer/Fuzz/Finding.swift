import HTTPWire

/// A new way a target differs from a strict server, minimized.
public struct Finding: FuzzFindingRecord {
    public var signature: Signature
    /// The corpus case id: the signature's, with the run's prefix.
    public var id: String
    /// The verdict on the minimized stream.
    public var classification: Classification
    /// The generated case it was found with.
    public var generated: GeneratedCase
    public var minimized: FuzzInput
    public var expectation: Expectation
    public var observation: Observation
    /// Executions the minimizer spent.
    public var minimizationTests: Int
    /// How the reference server answers the minimized stream, when it answers as a strict server
    /// must: the outcome the corpus case expects.
    public var referenceOutcome: ObservedOutcome?
    /// Seconds into the run when it was found.
    public var foundAfter: Double

    public var expectedSummary: String { FindingClassifier.expectationSummary(expectation) }
    public var observedSummary: String { observation.outcome.description }
    public func reproducer(endpoint: Endpoint) -> String {
        FindingWriter.reproducer(minimized.filledSegments(authority: endpoint.authority), endpoint: endpoint)
    }
}
