package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.cString

/**
 * Verifies `v1`-signed requests (server or proxy side): key ids map to one or more secrets
 * (rotation), with a tolerance and an optional replay cache of nonces. Thread-safe; like the
 * signer, it calls libpersona's C ABI directly (it runs on every request).
 */
class RequestVerifier @JvmOverloads constructor(
    keys: Map<String, List<String>>,
    /** Maximum |now − timestamp| in seconds; 0 means "the same second", never "off". */
    val toleranceSeconds: Long = 300,
    /** Nonces remembered within the tolerance window (0 = no replay protection). */
    val replayCacheCapacity: Long = 0,
) : AutoCloseable {
    private val handle: NativeHandle

    init {
        CAbi.requireAvailable()
        if (toleranceSeconds < 0 || replayCacheCapacity < 0) {
            throw InvalidInputException("invalid_argument", "toleranceSeconds and replayCacheCapacity must not be negative")
        }
        val entries = keys.flatMap { (keyId, secrets) -> secrets.map { keyId to it } }
        val table = CAbi.pairTable(entries, "keyId", "secret")
            ?: throw ConfigurationException("a request verifier needs at least one key")
        val out = PointerByReference()
        val code = try {
            CAbi.persona_request_verifier_new(table, entries.size.toLong(), toleranceSeconds, replayCacheCapacity, out)
        } finally {
            // The library copied the secrets; do not leave ours in native memory until GC.
            table.clear()
            table.close()
        }
        if (code != 0) throw CAbi.error(code, CAbi.requestRejection)
        handle = NativeHandle(out.value, CAbi::persona_request_verifier_free)
    }

    /**
     * Verifies one request; returns the authenticated key id or throws
     * [RequestVerificationException] with the reason. Header names are case-insensitive.
     */
    @JvmOverloads
    fun verify(method: String, url: String, headers: List<Pair<String, String>>, body: ByteArray, now: Long? = null): String {
        val table = CAbi.pairTable(headers, "header name", "header value")
        val keyId = PointerByReference()
        try {
            return handle.use { pointer ->
                val code = CAbi.persona_request_verifier_verify(
                    pointer, method.cString("method"), url.cString("url"), table, headers.size.toLong(),
                    body, body.size.toLong(), now?.let { longArrayOf(it) }, keyId,
                )
                if (code != 0) throw CAbi.error(code, CAbi.requestRejection)
                // Borrowed from the verifier: read it while the call still holds the handle.
                keyId.value.getString(0, "UTF-8")
            }
        } finally {
            table?.close()
        }
    }

    /** [verify] with headers as a map. */
    @JvmOverloads
    fun verify(method: String, url: String, headers: Map<String, String>, body: ByteArray, now: Long? = null): String =
        verify(method, url, headers.toList(), body, now)

    override fun close() = handle.close()

    override fun toString() = "RequestVerifier(keys=[REDACTED], toleranceSeconds=$toleranceSeconds)"
}
