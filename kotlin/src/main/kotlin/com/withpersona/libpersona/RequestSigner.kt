package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.cString
import com.withpersona.libpersona.internal.nulAt

/**
 * Signs requests with the `v1` scheme (key id + secret): returns the four headers to add, in
 * order (`Authorization`, `Persona-Timestamp`, `Persona-Nonce`, `Persona-Signature`). Touches no
 * HTTP library; send exactly the body you signed. Thread-safe.
 */
class RequestSigner(keyId: String, secret: String) : AutoCloseable {
    val keyId: String = keyId

    private val handle: NativeHandle

    init {
        CAbi.requireAvailable()
        val out = PointerByReference()
        val code = CAbi.persona_request_signer_new(keyId.cString("keyId"), secret.cString("secret"), out)
        if (code != 0) throw CAbi.error(code, CAbi.requestRejection)
        handle = NativeHandle(out.value, CAbi::persona_request_signer_free)
    }

    /**
     * Signs [method] [url] with [body]; [timestamp] (unix seconds) and [nonce] default to now and
     * 32 random hex characters.
     */
    @JvmOverloads
    fun sign(
        method: String,
        url: String,
        body: ByteArray = EMPTY,
        timestamp: Long? = null,
        nonce: String? = null,
    ): Map<String, String> {
        val buf = ByteArray(CAbi.SIGNED_HEADERS_MAX)
        val code = handle.use { pointer ->
            CAbi.persona_request_signer_sign_headers(
                pointer,
                method.cString("method"),
                url.cString("url"),
                body,
                body.size.toLong(),
                timestamp?.let { longArrayOf(it) },
                nonce?.cString("nonce"),
                buf,
                buf.size.toLong(),
            )
        }
        if (code != 0) throw CAbi.error(code, CAbi.requestRejection)
        // Four NUL-terminated ASCII values, in header order.
        val headers = LinkedHashMap<String, String>(8)
        var start = 0
        for (name in HEADER_NAMES) {
            val end = buf.nulAt(start)
            headers[name] = String(buf, start, end - start, Charsets.US_ASCII)
            start = end + 1
        }
        return headers
    }

    override fun close() = handle.close()

    override fun toString() = "RequestSigner(keyId=$keyId, secret=[REDACTED])"

    private companion object {
        val EMPTY = ByteArray(0)
        val HEADER_NAMES = arrayOf("Authorization", "Persona-Timestamp", "Persona-Nonce", "Persona-Signature")
    }
}
