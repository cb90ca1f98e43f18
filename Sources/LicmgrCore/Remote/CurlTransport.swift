import CCurl
import FoundationEssentials
import Glibc

/// Form POSTs over libcurl's multi interface on the calling thread: up to `parallel` requests
/// in flight, and the connections of one run kept open and reused from call to call.
public struct CurlTransport: HTTPTransport {
    public var connectTimeout: Int
    public var timeout: Int
    /// A PEM bundle for a private CA; verification itself is never turned off.
    public var caFile: String?
    /// Sent on every request, so the remote's logs can tell licmgr and its version apart.
    public var userAgent: String
    /// Where the proxy for the remote comes from; libcurl itself never reads the environment.
    public var proxies: ProxyEnvironment
    private let connections = ConnectionCache()

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(
        connectTimeout: Int = 10, timeout: Int = 60, caFile: String? = nil, userAgent: String = "licmgr",
        proxies: ProxyEnvironment = .none
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
        self.userAgent = userAgent
        self.proxies = proxies
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
        // After a signal a read is not worth waiting for: it changes nothing. After a second,
        // neither is a change: its step stays journaled in doubt, for the next run to settle.
        func dropInterrupted() {
            guard let signal = Interruption.signal else { return }
            let abandoning = Interruption.abandoning
            for (handle, transfer) in inFlight where abandoning || !transfer.changes {
                inFlight[handle] = nil
                curl_multi_remove_handle(multi, handle)
                deliver(
                    transfer.index,
                    .failure(
                        transfer.changes
                            ? .abandoned(function: transfer.function, signal: signal) : .interrupted(signal: signal)))
            }
        }
        startMore()
        while !inFlight.isEmpty {
            dropInterrupted()
            guard !inFlight.isEmpty else {
                startMore()
                continue
            }
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let transfer = inFlight.removeValue(forKey: handle)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                let reply = transfer.finish(code, url: url, timeout: timeout, caFile: caFile)
                deliver(transfer.index, reply)
                startMore()
            }
            if !inFlight.isEmpty { wait(multi) }
        }
        if let firstError { throw firstError }
    }

    /// Waits for the transfers to move, or for a signal.
    private func wait(_ multi: UnsafeMutableRawPointer) {
        guard let wakeUp = Interruption.wakeUp else {
            curl_multi_poll(multi, nil, 0, 1000, nil)
            return
        }
        var extra = curl_waitfd(fd: wakeUp, events: Int16(CURL_WAIT_POLLIN), revents: 0)
        curl_multi_poll(multi, &extra, 1, 1000, nil)
        Interruption.drainWakeUps()
    }

    fileprivate func configure(_ curl: UnsafeMutableRawPointer, url: String, form: String, once: Bool, proxy: Proxy?) {
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
        // An empty proxy turns off libcurl's own reading of the proxy variables, and an empty
        // no-proxy list its reading of no_proxy: the proxy used is the one errors name.
        licmgr_curl_setopt_string(curl, CURLOPT_PROXY, proxy?.url ?? "")
        licmgr_curl_setopt_string(curl, CURLOPT_NOPROXY, "")
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
    /// Whether the request changes the remote (`HTTPForm.once`).
    let changes: Bool
    let proxy: Proxy?
    var body = Data()
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    init?(index: Int, url: String, form: HTTPForm, transport: CurlTransport) {
        guard let handle = curl_easy_init() else { return nil }
        self.index = index
        self.handle = handle
        self.function = form.function
        self.changes = form.once
        self.proxy = transport.proxies.proxy(for: url)
        transport.configure(handle, url: url, form: form.form, once: form.once, proxy: proxy)
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

    func finish(_ code: CURLcode, url: String, timeout: Int, caFile: String?) -> Result<HTTPReply, RemoteError> {
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        if code != CURLE_OK, let proxy, let failure = proxyFailure(code, proxy: proxy, detail: detail) {
            return .failure(.unreachable(url: url, detail: failure))
        }
        let unreachable = RemoteError.unreachable(
            url: url, detail: proxy.map { "through \(Self.named($0)): \(detail)" } ?? detail)
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
            if connected == 0 && sending == 0 { return .failure(unreachable) }
            return .failure(.timedOut(function: function, seconds: timeout))
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            return .failure(.answerLost(function: function, detail: detail))
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .failure(.tls(url: url, detail: tlsProblem(code, url: url, caFile: caFile, detail: detail)))
        default:
            return .failure(unreachable)
        }
    }

    private static func named(_ proxy: Proxy) -> String { "the proxy \(proxy.shown) (from \(proxy.variable))" }

    /// The failure in words naming the proxy, when it is the proxy that failed; nil when the
    /// request got past it.
    private func proxyFailure(_ code: CURLcode, proxy: Proxy, detail: String) -> String? {
        let named = Self.named(proxy)
        var tunnel = 0
        licmgr_curl_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &tunnel)
        // libcurl reports a refused CONNECT as a receive error, which would otherwise read as a
        // lost answer; but no tunnel was opened, so nothing reached the remote.
        if tunnel != 0 && !(200..<300).contains(tunnel) {
            return "\(named) refused to open a tunnel to it (HTTP \(tunnel))"
        }
        switch code {
        case CURLE_COULDNT_RESOLVE_PROXY:
            return "\(named) cannot be resolved: \(detail)"
        case CURLE_COULDNT_CONNECT:
            var error = 0
            licmgr_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &error)
            return error == Int(ECONNREFUSED)
                ? "\(named) refused the connection: \(detail)" : "\(named) cannot be reached: \(detail)"
        case CURLE_PROXY:
            return "\(named) failed: \(detail)"
        default:
            return nil
        }
    }

    /// What is wrong with the remote's certificate, with what to do about it, and libcurl's words.
    private func tlsProblem(_ code: CURLcode, url: String, caFile: String?, detail: String) -> String {
        var verify = 0
        licmgr_curl_getinfo_long(handle, CURLINFO_SSL_VERIFYRESULT, &verify)
        let problem: String
        switch verify {
        case X509Verify.expired:
            problem = "the remote's certificate has expired"
        case X509Verify.notYetValid:
            problem = "the remote's certificate is not valid yet; check this machine's clock"
        case _ where X509Verify.untrusted.contains(verify):
            problem =
                caFile.map { "the remote's certificate is not signed by an authority in CAFile \($0)" }
                ?? "the remote's certificate is not signed by an authority this system trusts; set CAFile if it uses a private CA"
        case _ where code == CURLE_PEER_FAILED_VERIFICATION && X509Verify.unread.contains(verify):
            // No verdict on the chain, yet verification failed: libcurl's own host name check,
            // which runs before libcurl reads the chain's result (1 is its "not read yet").
            let host = ProxyEnvironment.schemeAndHost(url)?.1 ?? url
            problem = "the remote's certificate is not for \(host); Url must name a host the certificate holds"
        default:
            if code == CURLE_SSL_CACERT_BADFILE, let caFile {
                problem = "CAFile \(caFile) holds no certificate that can be read"
            } else {
                return detail
            }
        }
        return "\(problem) (\(detail))"
    }
}

/// OpenSSL's certificate verification results (X509_V_ERR_* in openssl/x509_vfy.h, stable
/// across versions), as libcurl's CURLINFO_SSL_VERIFYRESULT gives them.
private enum X509Verify {
    /// No fault in the chain, or no verdict read yet (libcurl's starting value).
    static let unread: Set<Int> = [0, 1]
    static let notYetValid = 9
    static let expired = 10
    /// No issuer certificate, a self-signed leaf, a self-signed root not trusted, no local
    /// issuer, the leaf's signature unverifiable: each means "signed by no one trusted".
    static let untrusted: Set<Int> = [2, 18, 19, 20, 21]
}
