package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.LibPersona
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.nulAt
import com.withpersona.libpersona.internal.utf8

/**
 * Signs requests with the `v1` scheme (key id + secret): returns the four headers to add, in
 * order (`Authorization`, `Persona-Timestamp`, `Persona-Nonce`, `Persona-Signature`). Touches no
 * HTTP library; send exactly the body you signed. Thread-safe.
 */
class RequestSigner(keyId: String, secret: String) : AutoCloseable {
    val keyId: String = keyId

    private val handle: NativeHandle

    init {
        val id = keyId.utf8("keyId")
        val key = secret.utf8("secret")
        val out = PointerByReference()
        val code = LibPersona.persona_request_signer_new(id, CAbi.size(id.size), key, CAbi.size(key.size), out)
        key.fill(0)
        if (code != 0) throw CAbi.error()
        handle = NativeHandle(out.value, LibPersona::persona_request_signer_free)
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
        val buf = ByteArray(LibPersona.PERSONA_SIGNED_HEADERS_MAX)
        val methodBytes = method.utf8("method")
        val urlBytes = url.utf8("url")
        val nonceBytes = nonce?.utf8("nonce")
        val code = handle.use { pointer ->
            LibPersona.persona_request_signer_sign_headers(
                pointer,
                methodBytes, CAbi.size(methodBytes.size),
                urlBytes, CAbi.size(urlBytes.size),
                body, CAbi.size(body.size),
                timestamp?.let { longArrayOf(it) },
                nonceBytes, CAbi.size(nonceBytes?.size ?: 0),
                buf, CAbi.size(buf.size),
            )
        }
        if (code != 0) throw CAbi.error()
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
