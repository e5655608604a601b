/// The rfc-editor.org address of a reference written as in the corpus (`RFC 9112 §6.3`).
public enum RFCLink {
    public static func url(_ reference: String) -> String {
        let number = reference.split(separator: " ").dropFirst().first ?? ""
        let section = reference.components(separatedBy: "§").last ?? ""
        return "https://www.rfc-editor.org/rfc/rfc\(number)#section-\(section)"
    }
}
