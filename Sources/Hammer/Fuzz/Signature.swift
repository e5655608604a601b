/// What makes two findings the same: the class, the oracle's reason, what differed, and the
/// mutators that produced the stream. The id derived from it is stable across runs and seeds.
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

    public var description: String { "\(findingClass.rawValue)/\(reason)/\(detail)/\(mutationPath)" }

    /// Whether another execution's classification shows the same bug (the mutation path belongs to
    /// how the stream was made, not to what it does, so it is not compared).
    public func matches(_ classification: Classification?) -> Bool {
        guard let classification else { return false }
        return classification.findingClass == findingClass && classification.reason == reason && classification.detail == detail
    }

    /// A corpus-style id: `FUZZ-<CLASS>-<10 hex digits of the signature's FNV-1a hash>`.
    public var caseID: String {
        let hash = description.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        let hex = String(hash, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: max(0, 16 - hex.count)) + hex
        return "FUZZ-\(findingClass.rawValue.uppercased())-\(padded.prefix(10))"
    }
}
