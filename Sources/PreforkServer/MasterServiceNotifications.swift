@preconcurrency import Glibc

/// What the master tells systemd (Type=notify) and when: READY=1 once the first generation is
/// ready, RELOADING=1 when a roll or a re-exec begins and READY=1 when the service serves again
/// (the roll finished, was aborted or refused: the old generation serves then), STOPPING=1 when a
/// stop begins, STATUS= with the generation and the workers every time.
extension Master {
    /// `generation 3: 2 workers on http://127.0.0.1:8000`.
    var serviceStatus: String {
        "generation \(generation): \(config.processes) worker\(config.processes == 1 ? "" : "s") on \(listenerURLs.joined(separator: ", "))"
    }

    /// READY=1 with STATUS=; `prefix` says why the service is ready again.
    func notifyReady(_ prefix: String? = nil) {
        reloadAnnounced = false
        notifier.send([.ready, .status(prefix.map { "\($0); \(serviceStatus)" } ?? serviceStatus)])
    }

    /// RELOADING=1 once per reload, however many SIGHUPs it coalesces (a re-exec'd image is told by
    /// the handover that its predecessor announced it).
    func notifyReloading(_ what: String) {
        guard !reloadAnnounced else { return }
        reloadAnnounced = true
        notifier.send([.reloading(monotonicMicroseconds: ServiceNotifier.monotonicMicroseconds()), .status(what)])
    }

    func notifyStopping(_ mode: MasterShutdown.Mode) {
        notifier.send([.stopping, .status("stopping (\(mode == .graceful ? "graceful" : "fast")); \(serviceStatus)")])
    }

    func notifyStatus() {
        notifier.send([.status(serviceStatus)])
    }
}
