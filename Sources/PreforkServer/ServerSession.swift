/// What a worker holds for each accepted connection: the protocol session over its transport
/// (HTTP/1.1 today, HTTP/2 beside it). The worker's loop and the applications see only this and
/// `RequestView`, so a new protocol or transport does not touch them.
protocol ServerSession: EventHandler, TimerHandler {
    var fd: Int32 { get }
    /// Registers with the loop: readiness and the first deadline.
    func start()
    /// The worker retires or stops: finish what is in progress, close in stages, keep an idle
    /// connection at most `grace`.
    func retire(grace: UInt64)
}
