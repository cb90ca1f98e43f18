import CCurl
import FoundationEssentials

/// Form POSTs over libcurl's multi interface on the calling thread: up to `parallel` requests
/// in flight, and the connections of one run kept open and reused from call to call.
public struct CurlTransport: HTTPTransport {
    public var connectTimeout: Int
    public var timeout: Int
    /// A PEM bundle for a private CA; verification itself is never turned off.
    public var caFile: String?
    /// Sent on every request, so the remote's logs can tell licmgr and its version apart.
    public var userAgent: String
    private let connections = ConnectionCache()

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(connectTimeout: Int = 10, timeout: Int = 60, caFile: String? = nil, userAgent: String = "licmgr") {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.userAgent = userAgent
    }

    /// The libcurl this process runs with and the TLS library under it, as `--version` reports them.
    public static var libraryVersion: (curl: String, tls: String?) {
        guard let info = licmgr_curl_version_info()?.pointee else { return ("unknown", nil) }
        return (info.version.map { String(cString: $0) } ?? "unknown", info.ssl_version.map { String(cString: $0) })
    }

    public func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply {
        try post(url: url, request: HTTPForm(form: form, function: function))
    }

    public func post(url: String, request: HTTPForm) throws(RemoteError) -> HTTPReply {
        var reply: Result<HTTPReply, RemoteError> = .failure(
            .unreachable(url: url, detail: "libcurl could not be initialised"))
        // Only the handlers could throw, and these do not.
        try? postAll(
            url: url, forms: [request], parallel: 1, starting: { _ in true }, each: { _, answer in reply = answer })
        return try reply.get()
    }

    public func postAll(
        url: String, forms: [HTTPForm], parallel: Int, starting: (Int) throws -> Bool,
        each: (Int, Result<HTTPReply, RemoteError>) throws -> Void
    ) throws {
        guard Self.initialized, let multi = connections.multi else {
            for index in forms.indices where try starting(index) {
                try each(index, .failure(.unreachable(url: url, detail: "libcurl could not be initialised")))
            }
            return
        }
        var inFlight: [UnsafeMutableRawPointer: Transfer] = [:]
        var next = 0
        var firstError: (any Error)?
        // A handler's error stops new sends; the answers of those in flight are still handed over.
        func deliver(_ index: Int, _ reply: Result<HTTPReply, RemoteError>) {
            do {
                try each(index, reply)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        func startMore() {
            while firstError == nil, inFlight.count < max(parallel, 1), next < forms.count {
                let index = next
                next += 1
                do {
                    guard try starting(index) else { continue }
                } catch {
                    firstError = error
                    return
                }
                guard let transfer = Transfer(index: index, url: url, form: forms[index], transport: self) else {
                    deliver(index, .failure(.unreachable(url: url, detail: "libcurl could not be initialised")))
                    continue
                }
                inFlight[transfer.handle] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            }
        }
        startMore()
        while !inFlight.isEmpty {
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = inFlight.removeValue(forKey: handle)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                let reply = transfer.finish(code, url: url, timeout: timeout)
                deliver(transfer.index, reply)
                startMore()
            }
            if !inFlight.isEmpty { curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        if let firstError { throw firstError }
    }

    fileprivate func configure(_ curl: UnsafeMutableRawPointer, url: String, form: String, once: Bool) {
        licmgr_curl_setopt_string(curl, CURLOPT_URL, url)
        if once { licmgr_curl_setopt_long(curl, CURLOPT_FRESH_CONNECT, 1) }
        licmgr_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        licmgr_curl_setopt_long(curl, CURLOPT_POST, 1)
        licmgr_curl_setopt_string(curl, CURLOPT_COPYPOSTFIELDS, form)
        licmgr_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, connectTimeout)
        licmgr_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeout)
        licmgr_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
        licmgr_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
        // Redirects could carry the form to another host: the Url must be the real endpoint.
        licmgr_curl_setopt_long(curl, CURLOPT_FOLLOWLOCATION, 0)
        licmgr_curl_setopt_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
        licmgr_curl_setopt_string(curl, CURLOPT_USERAGENT, userAgent)
        if let caFile { licmgr_curl_setopt_string(curl, CURLOPT_CAINFO, caFile) }
    }
}

/// The multi handle of one transport, and with it the open connections that later calls reuse.
/// Used from one thread at a time: the engine drives its batches one after another.
private final class ConnectionCache: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer? = curl_multi_init()

    deinit {
        if let multi { curl_multi_cleanup(multi) }
    }
}

/// One request in flight: its easy handle, the body as it arrives, and libcurl's error text.
private final class Transfer {
    let index: Int
    let handle: UnsafeMutableRawPointer
    let function: String
    var body = Data()
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init?(index: Int, url: String, form: HTTPForm, transport: CurlTransport) {
        guard let handle = curl_easy_init() else { return nil }
        self.index = index
        self.handle = handle
        self.function = form.function
        transport.configure(handle, url: url, form: form.form, once: form.once)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        licmgr_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        licmgr_curl_setopt_write_function(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            transfer.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        licmgr_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func string(_ info: CURLINFO) -> String? {
        var value: UnsafePointer<CChar>?
        guard licmgr_curl_getinfo_string(handle, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    func finish(_ code: CURLcode, url: String, timeout: Int) -> Result<HTTPReply, RemoteError> {
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        switch code {
        case CURLE_OK:
            var status = 0
            licmgr_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(
                HTTPReply(
                    status: status, body: body, location: string(CURLINFO_REDIRECT_URL),
                    contentType: string(CURLINFO_CONTENT_TYPE)))
        case CURLE_OPERATION_TIMEDOUT:
            // A reused connection has no connect time of its own: having started to send tells.
            var connected: curl_off_t = 0
            var sending: curl_off_t = 0
            licmgr_curl_getinfo_off(handle, CURLINFO_CONNECT_TIME_T, &connected)
            licmgr_curl_getinfo_off(handle, CURLINFO_PRETRANSFER_TIME_T, &sending)
            if connected == 0 && sending == 0 { return .failure(.unreachable(url: url, detail: detail)) }
            return .failure(.timedOut(function: function, seconds: timeout))
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .failure(.answerLost(function: function, detail: detail))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .failure(.tls(url: url, detail: detail))
        default:
            return .failure(.unreachable(url: url, detail: detail))
        }
    }
}
