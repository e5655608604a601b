/// How strongly the RFC words the requirement a corpus case checks (RFC 2119), or POLICY for a
/// choice the RFC leaves to the server.
public enum CorpusLevel: String, Sendable, CaseIterable {
    case must = "MUST"
    case should = "SHOULD"
    case may = "MAY"
    case policy = "POLICY"
}
