/// The one escape for text placed in the HTML, SVG and XML (JUnit) reports, in element content and
/// in quoted attribute values alike. JSON text is escaped elsewhere (`JSONEncoder`, and
/// CathammerContract's `JSONText` where Foundation is not used).
public enum MarkupEscape {
    /// `&`, `<`, `>`, `"` and `'` as entities (all five are valid in HTML5 and XML); control
    /// characters other than tab and newline as `\xNN`, because XML 1.0 cannot carry them at all
    /// and in HTML they would be invisible.
    public static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where scalar.value < 0x20 && scalar != "\n" && scalar != "\t":
                out += "\\x\(String(scalar.value, radix: 16))"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
