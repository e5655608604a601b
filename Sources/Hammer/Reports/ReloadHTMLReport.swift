/// placeholder replaced below
public enum ReloadHTMLReport {
    public static func render(_ run: ReloadRun) -> String { "" }
}
