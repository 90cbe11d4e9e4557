import Dispatch
import Hummingbird
import Logging
import NIOCore

/// `goalledger serve`: the routes of `WebApp` on Hummingbird 2, read-only.
public enum WebServer {
    /// Serves until SIGINT or SIGTERM, then stops cleanly (Hummingbird's graceful shutdown).
    /// - parameter listening: called once the socket listens, with the host and the real port
    ///   (port 0 asks the system for a free one).
    public static func run(_ app: WebApp, host: String, port: Int,
                           listening: @escaping @Sendable (String, Int) -> Void) async throws {
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) async throws -> Response in
            let (method, path, query) = (request.method.rawValue, request.uri.path, request.uri.query)
            // SQLite reads block: run them on Dispatch's pool, not on the two cooperative
            // threads every request's task shares, so a long /audit never stalls the rest.
            let response = await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    continuation.resume(returning: app.respond(method: method, path: path, query: query))
                }
            }
            var headers: HTTPFields = [
                .contentType: response.contentType,
                .contentLength: String(response.body.count),
                .xContentTypeOptions: "nosniff",
                // No script from anywhere, styles only inline (the pages' own sheet), forms only here.
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                    + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
            ]
            if let allow = response.allow { headers[.allow] = allow }
            let body = request.method == .head ? ByteBuffer() : ByteBuffer(bytes: response.body)
            return Response(status: .init(code: response.status), headers: headers,
                            body: ResponseBody(byteBuffer: body))
        }
        var logger = Logger(label: "goalledger")
        logger.logLevel = .warning
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "goalledger"),
            onServerRunning: { channel in
                listening(host, channel.localAddress?.port ?? port)
            },
            logger: logger)
        try await application.runService()
    }
}
