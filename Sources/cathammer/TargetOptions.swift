import ArgumentParser
import Foundation
import Hammer

/// Which server a harness command talks to: `--target`, `--spawn`, or the reference server started
/// for the run; with the TLS flags, over https.
struct TargetOptions: ParsableArguments {
    @Option(help: "The server: HOST:PORT, http://HOST:PORT or https://HOST:PORT.")
    var target: String?

    @Option(help: "Start the server with this shell command ({port} is replaced) and stop it afterwards (with --tls: it serves https).")
    var spawn: String?

    @Option(help: "The target's name in reports (default: the address or the command).")
    var name: String?

    @OptionGroup var tls: TLSOptions

    /// Neither --target nor --spawn: the reference server is started for the run.
    var isReference: Bool { target == nil && spawn == nil }

    /// A server the command talks to, and the process it started, if it started one.
    struct Opened {
        var endpoint: Endpoint
        var label: String
        var spawned: SpawnedTarget?
    }

    /// The command line that starts the reference server on `{port}`.
    static func referenceCommand() throws -> String {
        "'\(try ExecutablePath.resolve())' serve --http 127.0.0.1:{port} -p 2"
    }

    /// Parses the target and the TLS flags (exit 2 when they do not fit) or starts the server; a
    /// server that does not start is exit code 3.
    func open(referenceLabel: String) throws -> Opened {
        guard target == nil || spawn == nil else { throw UsageError(message: "--target and --spawn exclude each other") }
        do {
            if let target {
                let address: TargetAddress
                do {
                    address = try TargetAddress(target)
                } catch {
                    throw UsageError(message: error.description)
                }
                let context = try tls.context(host: address.host, scheme: address.scheme)
                return Opened(endpoint: Endpoint(host: address.host, port: address.port, tls: context), label: name ?? target)
            }
            let context = try tls.context(host: "127.0.0.1", scheme: nil, reference: isReference)
            let spawned = try SpawnedTarget(command: try spawn ?? Self.referenceCommand())
            return Opened(endpoint: Endpoint(host: "127.0.0.1", port: spawned.port, tls: context), label: name ?? spawn ?? referenceLabel,
                          spawned: spawned)
        } catch let error as SpawnedTarget.Failure {
            FileHandle.standardError.write(Data("cathammer: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
    }
}
