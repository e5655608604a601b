/// The git revision the binary was built from: `git describe --always --dirty`, which the Makefile
/// writes to `.build-info/revision` before it builds. nil when the tree was built by a plain
/// `swift build` that no make run had stamped.
public enum BuildRevision {
    public static var gitDescribe: String? { stamped }
}
