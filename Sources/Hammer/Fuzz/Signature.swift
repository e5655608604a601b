/// What makes two findings the same: the class, the oracle's reason and what differed. The
/// mutation path (which mutators produced the first stream that showed it) is kept with the
/// signature but not part of its identity: the same bug is reached by many paths, and telling them
/// apart made most of a run's time go into minimizing duplicates. The id derived from the identity
/// is stable across runs and seeds, so a finding found again overwrites its file.
public struct Signature: Sendable, Hashable, CustomStringConvertible {
    public var findingClass: FindingClass
    public var reason: String
    public var detail: String
    public var mutationPath: String

    public init(_ classification: Classification, mutationPath: String) {
        findingClass = classification.findingClass
        reason = classification.reason
        detail = classification.detail
        self.mutationPath = mutationPath
    }

    public var identity: String { "\(findingClass.rawValue)/\(reason)/\(detail)" }
    public var description: String { "\(identity) via \(mutationPath)" }

    public static func == (a: Signature, b: Signature) -> Bool { a.identity == b.identity }
    public func hash(into hasher: inout Hasher) { hasher.combine(identity) }

    /// Whether another execution's classification shows the same bug (the mutation path belongs to
    /// how the stream was made, not to what it does, so it is not compared).
    public func matches(_ classification: Classification?) -> Bool {
        guard let classification else { return false }
        return classification.findingClass == findingClass && classification.reason == reason && classification.detail == detail
    }

    /// A corpus-style id: `<prefix>-<CLASS>-<10 hex digits of the signature's FNV-1a hash>`. Corpus
    /// ids are unique across all folders, so the prefix names the target (`FUZZ-NGINX`).
    public func caseID(prefix: String = "FUZZ") -> String {
        let hash = identity.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        let hex = String(hash, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return "\(prefix)-\(findingClass.rawValue.uppercased())-\(padded.prefix(10))"
    }
}
