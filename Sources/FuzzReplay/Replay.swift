@preconcurrency import Glibc

/// Replays corpus files through a fuzz target's invariants without libFuzzer, so CI checks every seed
/// and finding. Shared by the in-process fuzzers (HTTPWireFuzz, HTTP2WireFuzz).
public enum Replay {
    /// `check` returns a description of the first broken invariant, or nil.
    public static func run(paths: [String], check: ([UInt8]) -> String?) -> Int32 {
        var files: [String] = []
        for path in paths { collect(path, into: &files) }
        var failures = 0
        for file in files.sorted() {
            guard let bytes = read(file) else {
                fputs("cannot read \(file)\n", stderr)
                failures += 1
                continue
            }
            if let failure = check(bytes) {
                print("FAIL \(file): \(failure)")
                failures += 1
            }
        }
        print("replayed \(files.count) inputs: \(files.count - failures) passed, \(failures) failed")
        return failures == 0 ? 0 : 1
    }

    private static func collect(_ path: String, into files: inout [String]) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            files.append(path)
            return
        }
        guard let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasPrefix(".") || name == "README.md" { continue }
            collect(path + "/" + name, into: &files)
        }
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}
