@preconcurrency import Glibc

/// What the master tells systemd (Type=notify) and when: READY=1 once the first generation is
/// ready, RELOADING=1 when a roll or a re-exec begins and READY=1 when the service serves again
/// (the roll finished, was aborted or refused: the old generation serves then), STOPPING=1 when a
/// stop begins, STATUS= with the generation and the workers every time.
extension Master {
    /// `generation 3: 2 workers ready on http://127.0.0.1:8000`: the generation(s) the READY workers
    /// belong to (after an aborted roll, the previous one), and how many there are.
    var serviceStatus: String {
        let ready = table.entries.filter { $0.state == .ready }
        let generations = Set(ready.map(\.generation)).sorted()
        let label = generations.count > 1
            ? "generations \(generations.map(String.init).joined(separator: ", "))"
            : "generation \(generations.first ?? generation)"
        return "\(label): \(ready.count) worker\(ready.count == 1 ? "" : "s") ready on \(listenerURLs.joined(separator: ", "))"
    }

    /// READY=1 with STATUS=; `prefix` says why the service is ready again.
    func notifyReady(_ prefix: String? = nil) {
        reloadAnnounced = false
        sendStatus(prefix.map { "\($0); \(serviceStatus)" } ?? serviceStatus, with: [.ready])
    }

    /// RELOADING=1 once per reload, however many SIGHUPs it coalesces (a re-exec'd image is told by
    /// the handover that its predecessor announced it).
    func notifyReloading(_ what: String) {
        guard !reloadAnnounced else { return }
        reloadAnnounced = true
        sendStatus(what, with: [.reloading(monotonicMicroseconds: ServiceNotifier.monotonicMicroseconds())])
    }

    func notifyStopping(_ mode: MasterShutdown.Mode) {
        sendStatus("stopping (\(mode == .graceful ? "graceful" : "fast")); \(serviceStatus)", with: [.stopping])
    }

    /// STATUS= alone when the ready workers changed outside a reload (one added, removed, died or
    /// respawned), and only when the text differs from the last one sent.
    func notifyStatusChange() {
        guard announcedReady, roll == nil, !reloadAnnounced, shutdown.isRunning, serviceStatus != lastStatus else { return }
        sendStatus(serviceStatus, with: [])
    }

    private func sendStatus(_ status: String, with notifications: [ServiceNotification]) {
        // The state the text tells of, whatever words precede it.
        lastStatus = serviceStatus
        notifier.send(notifications + [.status(status)])
    }
}
