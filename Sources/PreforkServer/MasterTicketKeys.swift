import CathammerContract
import Logging

/// The session-ticket keys: the master makes them (random, never from argv or the environment),
/// publishes them in the page every worker maps, and rotates them on `--tls-ticket-rotation`,
/// keeping the previous ones for decryption. A reload does not touch them and a re-executed master
/// adopts the page, so tickets resume across workers, generations and images.
extension Master {
    /// Arms the next rotation from the time the current key was published.
    func scheduleTicketRotation() {
        guard let ticketKeys, let tls = config.tls, let contents = ticketKeys.read() else { return }
        let interval = MonotonicClock.nanoseconds(seconds: tls.ticketRotation)
        let now = MonotonicClock.now()
        let due = TicketKeyRing.nextRotation(rotatedAt: contents.rotatedAt, interval: interval, now: now)
        // At least a second apart, should a rotation keep failing.
        let milliseconds = max(1000, Int(min((due - now) / 1_000_000, UInt64(Int32.max))))
        ticketRotationTimer = CallbackTimer(loop: loop, after: milliseconds) { [weak self] in
            guard let self, self.shutdown.isRunning else { return }
            self.rotateTicketKeys()
            self.scheduleTicketRotation()
        }
    }

    func rotateTicketKeys() {
        guard let ticketKeys, var contents = ticketKeys.read() else { return }
        do {
            contents.ring.rotate(to: try TicketKeyRing.freshKey())
        } catch {
            logger.error("session-ticket key rotation skipped: \(error)")
            return
        }
        ticketKeys.publish(contents.ring, rotatedAt: MonotonicClock.now(), rotations: contents.rotations + 1)
        logger.info("session-ticket key rotated (\(contents.rotations + 1) so far; \(contents.ring.keys.count) keys kept for decryption)")
    }
}
