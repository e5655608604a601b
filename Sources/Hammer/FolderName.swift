/// Folder names made from target names, for run reports and findings (a findings folder is also the
/// cases' corpus category, which this form satisfies).
public enum FolderName {
    /// Lower-case letters and digits, anything else one '-', at most 40 characters; "target" when
    /// nothing is left.
    public static func slug(_ name: String) -> String {
        let kept = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let collapsed = String(kept).split(separator: "-").joined(separator: "-")
        return collapsed.isEmpty ? "target" : String(collapsed.prefix(40))
    }
}
