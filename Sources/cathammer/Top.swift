import ArgumentParser
import Foundation
@preconcurrency import Glibc
import Hammer

struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A live per-worker view of a running `cathammer serve --stats` (like uwsgitop).")

    @Option(help: "The stats address of the master: HOST:PORT.")
    var stats: String

    @Option(help: "Seconds between refreshes.")
    var interval = 1.0

    @Option(help: "Stop after this many refreshes (0: until interrupted).")
    var count = 0

    func run() throws {
        guard let colon = stats.lastIndex(of: ":"), let port = UInt16(stats[stats.index(after: colon)...]) else {
            throw UsageError(message: "--stats '\(stats)' is not HOST:PORT")
        }
        guard interval > 0, count >= 0 else { throw UsageError(message: "--interval must be positive and --count at least 0") }
        let host = String(stats[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let terminal = isatty(STDOUT_FILENO) != 0
        var previous: TopTable.Snapshot?
        var shown = 0
        while count == 0 || shown < count {
            let snapshot: TopTable.Snapshot
            do {
                let response = try HTTPGet.fetch(host: host.isEmpty ? "127.0.0.1" : host, port: port, path: "/")
                guard response.status == 200 else {
                    throw HTTPGet.Failure(description: "the stats endpoint answered \(response.status)")
                }
                snapshot = try TopTable.Snapshot(json: response.body)
            } catch {
                FileHandle.standardError.write(Data("cathammer top: \(stats): \(error)\n".utf8))
                throw ExitCode(1)
            }
            if terminal { print("\u{1B}[H\u{1B}[2J", terminator: "") }
            print(TopTable.render(snapshot, previous: previous, source: stats))
            fflush(nil)
            previous = snapshot
            shown += 1
            if count == 0 || shown < count { usleep(useconds_t(interval * 1_000_000)) }
        }
    }
}
