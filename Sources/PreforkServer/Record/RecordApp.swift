import CathammerContract
import HTTPWire

/// `--app record`: the reference application (catserve's routes and `/echo`) on a server that
/// records every connection in `store` (the sessions do the recording: they see the raw bytes).
/// A fence request (`OriginFence`) gets a plain 200, so a harness knows the front forwarded it.
final class RecordApp: Application {
    let store = RecordStore()
    private let catserve: CatserveApp

    init(staticFiles: StaticFiles?) {
        catserve = CatserveApp(staticFiles: staticFiles)
    }

    func prebuiltResponse(for request: RequestView) -> PrebuiltResponse? { catserve.prebuiltResponse(for: request) }

    func handle(_ request: RequestView, pending: PendingResponse) -> Response? {
        if request.pathHasPrefix("/__cathammer/fence/") { return .text(200, "fence\n") }
        return catserve.handle(request, pending: pending)
    }
}

/// What the control listener (`--record-control ADDR`) serves: the store, never recorded itself.
///   GET /sequence          {"sequence":N}, the last event number handed out
///   GET /records?since=N   the connections with an event after N (`OriginRecord` as JSON)
///   POST /forget           forgets every closed connection
final class RecordControlApp: Application {
    let store: RecordStore

    init(store: RecordStore) { self.store = store }

    func handle(_ request: RequestView, pending: PendingResponse) -> Response? {
        if request.pathEquals("/sequence") {
            return Response(status: 200, contentType: "application/json", body: Array("{\"sequence\":\(store.sequence)}\n".utf8))
        }
        if request.pathEquals("/records") {
            guard let since = Int(request.queryValue("since") ?? "0"), since >= 0 else {
                return .text(400, "/records takes ?since=N with N >= 0\n")
            }
            return Response(status: 200, contentType: "application/json", body: store.snapshot(since: since).jsonBody())
        }
        if request.pathEquals("/forget") {
            guard request.knownMethod == .post else {
                var response = Response.text(405, "POST /forget\n")
                response.headers.append(("Allow", "POST"))
                return response
            }
            store.forgetClosed()
            return .text(200, "forgot the closed connections\n")
        }
        return .text(404, "the record control endpoint serves /sequence, /records?since=N and POST /forget\n")
    }
}
