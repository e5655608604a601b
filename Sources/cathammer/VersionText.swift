import BuildInfo
import Hammer

/// `cathammer --version`: which cathammer, built from which git revision, carrying which corpus.
enum VersionText {
    static var text: String {
        """
        cathammer \(Cathammer.configuration.version)
        git revision: \(BuildRevision.gitDescribe ?? "unknown (built without make, which stamps it)")
        corpus: built in, \(BuiltInCorpus.version)
        """
    }
}
