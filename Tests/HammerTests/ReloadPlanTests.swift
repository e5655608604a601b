@preconcurrency import Glibc
@testable import Hammer
import XCTest

/// reload-check's decisions, made from its flags before anything starts.
final class ReloadPlanTests: XCTestCase {
    private func plan(_ change: (inout ReloadPlan.Flags) -> Void = { _ in }) throws -> ReloadPlan {
        var flags = ReloadPlan.Flags()
        change(&flags)
        return try ReloadPlan(flags)
    }

    private func problem(_ change: (inout ReloadPlan.Flags) -> Void) -> String? {
        do {
            _ = try plan(change)
            return nil
        } catch let error as ReloadPlan.Problem {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    func testTheReferenceServerByDefault() throws {
        let plan = try plan()
        XCTAssertEqual(plan.server, .reference)
        XCTAssertEqual(plan.kind, .hup)
        XCTAssertEqual(plan.signal, SIGHUP)
        XCTAssertEqual(plan.paths, ["/cats/1", "/cats/7", "/sleep?ms=10"])
        XCTAssertEqual(plan.postPath, "/echo")
        XCTAssertEqual(plan.label, "cathammer serve (reference server)")
        XCTAssertEqual(plan.goodIni, "[cathammer]\nprocesses = 2\n")
        XCTAssertEqual(plan.reloadDescription(masterPID: 42), "--reload hup")
    }

    func testReferenceArgumentsCarryTheKindsFlags() throws {
        let fifo = try plan { $0.reload = .fifo; $0.serverArguments = ["--accept=plain"] }
        XCTAssertEqual(fifo.referenceArguments(iniPath: "/t/serve.ini", statsPort: 9, fifoPath: "/t/master.fifo"),
                       ["serve", "--http", "127.0.0.1:{port}", "--ini", "/t/serve.ini", "--stats", "127.0.0.1:9",
                        "--master-fifo", "/t/master.fifo", "--accept=plain"])
        let recycle = try plan { $0.reload = .maxRequests; $0.maxRequests = 7 }
        XCTAssertEqual(recycle.referenceArguments(iniPath: "i", statsPort: 1, fifoPath: nil).suffix(2), ["--max-requests", "7"])
        XCTAssertFalse(try plan().referenceArguments(iniPath: "i", statsPort: 1, fifoPath: "f").contains("--master-fifo"),
                       "only --reload fifo opens a FIFO")
        XCTAssertEqual(ReloadPlan.shellCommand(executable: "/bin/cat hammer", arguments: ["serve", "a b"]), "'/bin/cat hammer' serve 'a b'")
    }

    /// `--tls` starts the reference server on an https listener with the certificate given to it.
    func testTheReferenceServerOverTLS() throws {
        let tls = try plan { $0.tls = true; $0.serverArguments = ["--tls-cert=/c.pem", "--tls-key=/k.pem"] }
        XCTAssertEqual(tls.referenceArguments(iniPath: "i", statsPort: 9, fifoPath: nil),
                       ["serve", "--https", "127.0.0.1:{port}", "--ini", "i", "--stats", "127.0.0.1:9", "--tls-cert=/c.pem", "--tls-key=/k.pem"])
        XCTAssertEqual(problem { $0.tls = true; $0.serverArguments = ["--tls-cert=/c.pem"] },
                       "--tls with the reference server needs --server-arg=--tls-cert=FILE and --server-arg=--tls-key=FILE")
        XCTAssertNil(problem { $0.tls = true; $0.spawn = "nginx {port}"; $0.reloadSignal = "HUP" }, "another server brings its own")
    }

    func testAnotherServerIsReloadedByCommandOrSignal() throws {
        let spawned = try plan { $0.spawn = "nginx -p {port}"; $0.reloadCommand = "nginx -s reload" }
        XCTAssertEqual(spawned.server, .spawned(command: "nginx -p {port}"))
        XCTAssertEqual(spawned.kind, .command)
        XCTAssertEqual(spawned.paths, ["/"])
        XCTAssertEqual(spawned.postPath, "/")
        XCTAssertEqual(spawned.label, "nginx -p {port}")
        XCTAssertEqual(spawned.reloadDescription(masterPID: 1), "nginx -s reload")

        let running = try plan { $0.target = "127.0.0.1:8080"; $0.pid = 99; $0.reloadSignal = "sigusr2"; $0.name = "mine" }
        XCTAssertEqual(running.server, .running(address: "127.0.0.1:8080"))
        XCTAssertEqual(running.kind, .signal)
        XCTAssertEqual(running.signal, SIGUSR2)
        XCTAssertEqual(running.label, "mine")
        XCTAssertEqual(running.reloadDescription(masterPID: 99), "kill -sigusr2 99")
    }

    func testFlagCombinationsThatCannotRun() {
        XCTAssertEqual(problem { $0.reloadCommand = "x"; $0.reloadSignal = "HUP" }, "--reload-cmd and --reload-signal exclude each other")
        XCTAssertEqual(problem { $0.spawn = "x"; $0.target = "127.0.0.1:1" }, "--spawn and --target exclude each other")
        XCTAssertEqual(problem { $0.spawn = "x {port}"; $0.reload = .fifo }, "--reload fifo needs the reference server (no --spawn or --target)")
        XCTAssertEqual(problem { $0.target = "127.0.0.1:1" }, "--target needs --reload-cmd, or --pid with --reload-signal or --reload")
        XCTAssertEqual(problem { $0.reloadSignal = "NOPE" }, "--reload-signal 'NOPE' is not a signal name (HUP, USR2, …)")
        XCTAssertNil(problem { $0.target = "127.0.0.1:1"; $0.reloadCommand = "true" })
    }

    func testSignalNames() {
        XCTAssertEqual(ReloadPlan.signalNumber("HUP"), SIGHUP)
        XCTAssertEqual(ReloadPlan.signalNumber("SIGTTIN"), SIGTTIN)
        XCTAssertEqual(ReloadPlan.signalNumber("winch"), SIGWINCH)
        XCTAssertEqual(ReloadPlan.signalNumber("10"), 10)
        XCTAssertNil(ReloadPlan.signalNumber("NOPE"))
    }
}
