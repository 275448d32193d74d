package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.LibPersona
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.inRange
import com.withpersona.libpersona.internal.utf8

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
        toleranceSeconds.inRange("toleranceSeconds", 0, Long.MAX_VALUE)
        replayCacheCapacity.inRange("replayCacheCapacity", 0, CAbi.SIZE_MAX)
        val entries = keys.flatMap { (keyId, secrets) -> secrets.map { arrayOf(keyId.utf8("keyId"), it.utf8("secret")) } }
        val table = CAbi.pairTable(entries, LibPersona.PERSONA_KEY_PAIRS)
        val out = PointerByReference()
        val code = try {
            LibPersona.persona_request_verifier_new(
                table, CAbi.size(entries.size), toleranceSeconds, replayCacheCapacity, out,
            )
        } finally {
            // The library copied the secrets; do not leave ours in native memory until GC.
            table?.clear()
            table?.close()
        }
        if (code != 0) throw CAbi.error()
        handle = NativeHandle(out.value, LibPersona::persona_request_verifier_free)
    }

    /**
     * Verifies one request; returns the authenticated key id or throws
     * [RequestVerificationException] with the reason. Header names are case-insensitive.
     */
    @JvmOverloads
    fun verify(method: String, url: String, headers: List<Pair<String, String>>, body: ByteArray, now: Long? = null): String {
        // Wire data: header text is passed as its UTF-8 bytes (a lone surrogate becomes `?`,
        // which no signature grammar accepts).
        val table = CAbi.pairTable(
            headers.map { (name, value) -> arrayOf(name.toByteArray(Charsets.UTF_8), value.toByteArray(Charsets.UTF_8)) },
            LibPersona.PERSONA_HEADER_PAIRS,
        )
        val methodBytes = method.utf8("method")
        val urlBytes = url.utf8("url")
        val keyId = PointerByReference()
        try {
            return handle.use { pointer ->
                val code = LibPersona.persona_request_verifier_verify(
                    pointer, methodBytes, CAbi.size(methodBytes.size), urlBytes, CAbi.size(urlBytes.size),
                    table, CAbi.size(headers.size), body, CAbi.size(body.size), now?.let { longArrayOf(it) }, keyId,
                )
                if (code != 0) throw CAbi.error()
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
