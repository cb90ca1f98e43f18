import CCurl
import Foundation

/// Form POSTs over libcurl's easy interface. Synchronous by design: licmgr makes one remote
/// call at a time so that every money-moving step is journaled in order.
public struct CurlTransport: HTTPTransport {
    public var connectTimeout: Int
    public var timeout: Int
    /// A PEM bundle for a private CA; verification itself is never turned off.
    public var caFile: String?

    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init(connectTimeout: Int = 10, timeout: Int = 60, caFile: String? = nil) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caFile = caFile
    }

    public func post(url: String, form: String, function: String) throws(RemoteError) -> HTTPReply {
        guard Self.initialized, let curl = curl_easy_init() else {
            throw .unreachable(url: url, detail: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(curl) }

        let sink = ReplySink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { buffer in
            licmgr_curl_setopt_string(curl, CURLOPT_URL, url)
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
            licmgr_curl_setopt_string(curl, CURLOPT_USERAGENT, "licmgr")
            if let caFile { licmgr_curl_setopt_string(curl, CURLOPT_CAINFO, caFile) }
            licmgr_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            licmgr_curl_setopt_write_function(curl) { data, size, count, context in
                guard let data, let context else { return 0 }
                let sink = Unmanaged<ReplySink>.fromOpaque(context).takeUnretainedValue()
                sink.data.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            }
            licmgr_curl_setopt_pointer(curl, CURLOPT_WRITEDATA, sinkPointer)
            return curl_easy_perform(curl)
        }

        let detail: String = {
            let buffered = String(
                decoding: errorBuffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered
        }()
        switch code {
        case CURLE_OK:
            var status = 0
            licmgr_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
            return HTTPReply(status: status, body: sink.data)
        case CURLE_OPERATION_TIMEDOUT:
            var connected: curl_off_t = 0
            licmgr_curl_getinfo_off(curl, CURLINFO_CONNECT_TIME_T, &connected)
            if connected == 0 { throw .unreachable(url: url, detail: detail) }
            throw .timedOut(function: function, seconds: timeout)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            throw .answerLost(function: function, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            throw .tls(url: url, detail: detail)
        default:
            throw .unreachable(url: url, detail: detail)
        }
    }
}

/// Collects the body; handed to libcurl as an opaque pointer so the C callback captures nothing.
private final class ReplySink {
    var data = Data()
}
