/// The repository's corpus/ folder as it was when the binary was built, compiled in (by
/// BuildInfoPlugin), so `cathammer run corpus` works from any directory with nothing installed
/// beside the binary.
public enum BundledCorpus {
    /// One file of the folder: its path relative to corpus/ (`host/HOST-DUPLICATE.yaml`) and its text.
    public struct File: Sendable {
        public let path: String
        public let text: String
    }

    /// Every file, README.md included, sorted by path.
    public static var files: [File] { embeddedFiles }
}
