package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.LibPersona
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.RequestScratch
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
        val scratch = RequestScratch.get()
        scratch.clearHeaders()
        for ((name, value) in headers) scratch.addHeader(name, value)
        return verifyPacked(scratch, method, url, body, now)
    }

    /** [verify] with headers as a map. */
    @JvmOverloads
    fun verify(method: String, url: String, headers: Map<String, String>, body: ByteArray, now: Long? = null): String {
        val scratch = RequestScratch.get()
        scratch.clearHeaders()
        for ((name, value) in headers) scratch.addHeader(name, value)
        return verifyPacked(scratch, method, url, body, now)
    }

    /** One native call with the thread's packed buffers (no native table, no handle objects). */
    private fun verifyPacked(scratch: RequestScratch, method: String, url: String, body: ByteArray, now: Long?): String {
        scratch.putMethod(method)
        scratch.putUrl(url)
        try {
            return handle.use { pointer ->
                val code = if (now == null) {
                    LibPersona.persona_request_verifier_verify_packed(
                        pointer, scratch.method, CAbi.size(scratch.methodLen), scratch.url, CAbi.size(scratch.urlLen),
                        scratch.headers, CAbi.size(scratch.headersLen), body, CAbi.size(body.size),
                        scratch.keyId, CAbi.size(scratch.keyId.size),
                    )
                } else {
                    LibPersona.persona_request_verifier_verify_packed_at(
                        pointer, scratch.method, CAbi.size(scratch.methodLen), scratch.url, CAbi.size(scratch.urlLen),
                        scratch.headers, CAbi.size(scratch.headersLen), body, CAbi.size(body.size), now,
                        scratch.keyId, CAbi.size(scratch.keyId.size),
                    )
                }
                if (code != 0) throw CAbi.error()
                scratch.keyIdString()
            }
        } finally {
            scratch.trim()
        }
    }

    override fun close() = handle.close()

    override fun toString() = "RequestVerifier(keys=[REDACTED], toleranceSeconds=$toleranceSeconds)"
}
