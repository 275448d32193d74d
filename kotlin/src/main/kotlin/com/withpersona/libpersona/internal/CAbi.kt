package com.withpersona.libpersona.internal

import com.sun.jna.Native
import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.InternalException
import com.withpersona.libpersona.InvalidInputException
import com.withpersona.libpersona.InvalidPayloadException
import com.withpersona.libpersona.ConfigurationException
import com.withpersona.libpersona.PersonaException
import com.withpersona.libpersona.RequestVerificationException
import com.withpersona.libpersona.WebhookVerificationException

/**
 * The hot paths (webhook verify, request sign) call libpersona's C ABI through JNA *direct
 * mapping*: one native call with primitive and byte-array arguments, instead of UniFFI's
 * per-argument buffer marshalling (several allocations and copies per call). The Rust
 * implementation is the same one either way.
 *
 * Registered under the same library name and class loader as the UniFFI bindings, so JNA loads
 * one copy of libpersona for both.
 */
internal object CAbi {
    /** Direct mapping passes `size_t` as a Java long: only valid where size_t is 64-bit. */
    val available: Boolean = Native.SIZE_T_SIZE == 8

    /** Refuses on 32-bit platforms rather than pass a 64-bit `size_t` to a 32-bit one. */
    fun requireAvailable() {
        if (!available) {
            throw UnsupportedOperationException(
                "libpersona's direct-mapped classes need a 64-bit platform; use com.withpersona.libpersona.ffi here",
            )
        }
    }

    init {
        val name = System.getProperty("uniffi.component.persona.libraryOverride") ?: "persona"
        Native.register(CAbi::class.java, name)
    }

    @JvmStatic external fun persona_last_error_length(): Long
    @JvmStatic external fun persona_last_error_message(buf: ByteArray, bufLen: Long): Int

    @JvmStatic external fun persona_webhook_verifier_new(secrets: Pointer, count: Long, toleranceSecs: Long, out: PointerByReference): Int
    @JvmStatic external fun persona_webhook_verifier_verify_at(verifier: Pointer, header: ByteArray?, body: ByteArray, bodyLen: Long, now: Long): Int
    @JvmStatic external fun persona_webhook_verifier_verify(verifier: Pointer, header: ByteArray?, body: ByteArray, bodyLen: Long, now: Pointer?): Int
    @JvmStatic external fun persona_webhook_verifier_verify_event(verifier: Pointer, header: ByteArray?, body: ByteArray, bodyLen: Long, now: LongArray?, out: PointerByReference): Int
    @JvmStatic external fun persona_webhook_event_id(event: Pointer): Pointer?
    @JvmStatic external fun persona_webhook_event_name(event: Pointer): Pointer?
    @JvmStatic external fun persona_webhook_event_created_at(event: Pointer): Pointer?
    @JvmStatic external fun persona_webhook_event_payload_json(event: Pointer): Pointer?
    @JvmStatic external fun persona_webhook_event_free(event: Pointer)
    @JvmStatic external fun persona_webhook_verifier_free(verifier: Pointer)
    @JvmStatic external fun persona_webhook_sign(secret: ByteArray, body: ByteArray, bodyLen: Long, timestamp: Long, buf: ByteArray, bufLen: Long): Int

    @JvmStatic external fun persona_request_signer_new(keyId: ByteArray, secret: ByteArray, out: PointerByReference): Int
    @JvmStatic external fun persona_request_signer_sign_headers(
        signer: Pointer,
        method: ByteArray,
        url: ByteArray,
        body: ByteArray,
        bodyLen: Long,
        timestamp: LongArray?,
        nonce: ByteArray?,
        buf: ByteArray,
        bufLen: Long,
    ): Int
    @JvmStatic external fun persona_request_signer_free(signer: Pointer)

    @JvmStatic external fun persona_request_verifier_new(keys: Pointer, count: Long, toleranceSecs: Long, replayCacheCapacity: Long, out: PointerByReference): Int
    @JvmStatic external fun persona_request_verifier_verify(
        verifier: Pointer,
        method: ByteArray,
        url: ByteArray,
        headers: Pointer?,
        headersLen: Long,
        body: ByteArray,
        bodyLen: Long,
        now: LongArray?,
        keyIdOut: PointerByReference,
    ): Int
    @JvmStatic external fun persona_request_verifier_free(verifier: Pointer)

    /**
     * An array of `{const char *, const char *}` structs (`persona_key`, `persona_header`) and
     * the strings they point to, in one native block (one allocation per call).
     */
    fun pairTable(pairs: List<Pair<String, String>>, firstField: String, secondField: String): com.sun.jna.Memory? {
        if (pairs.isEmpty()) return null
        val encoded = pairs.map { (a, b) -> a.cString(firstField) to b.cString(secondField) }
        val table = pairs.size * 2L * Native.POINTER_SIZE
        val memory = com.sun.jna.Memory(table + encoded.sumOf { it.first.size + it.second.size })
        var offset = table
        encoded.forEachIndexed { index, (a, b) ->
            for ((slot, bytes) in listOf(2 * index to a, 2 * index + 1 to b)) {
                memory.write(offset, bytes, 0, bytes.size)
                memory.setPointer(slot.toLong() * Native.POINTER_SIZE, memory.share(offset))
                offset += bytes.size
            }
        }
        return memory
    }

    /** `PERSONA_SIGNED_HEADERS_MAX` in persona.h. */
    const val SIGNED_HEADERS_MAX = 384

    /** `PERSONA_WEBHOOK_HEADER_MAX` in persona.h. */
    const val WEBHOOK_HEADER_MAX = 96

    /** This thread's last error message (the C ABI keeps it per thread, like errno). */
    fun lastError(): String {
        val length = persona_last_error_length()
        if (length <= 0 || length > 1 shl 20) return "libpersona call failed"
        // The length excludes the NUL the copy appends.
        val buf = ByteArray(length.toInt() + 1)
        if (persona_last_error_message(buf, buf.size.toLong()) != 0) return "libpersona call failed"
        return String(buf, 0, length.toInt(), Charsets.UTF_8)
    }

    /**
     * The exception for a failed call (result codes are persona.h's `persona_result`, stable).
     * [rejection] builds the exception for signature rejections (codes 20–30).
     */
    fun error(code: Int, rejection: (String, String) -> PersonaException): PersonaException {
        val message = lastError()
        return when (code) {
            in INPUT -> InvalidInputException(INPUT.getValue(code), message)
            in REJECTION -> rejection(REJECTION.getValue(code), message)
            31 -> InvalidPayloadException(message)
            2 -> InvalidInputException("invalid_utf8", message)
            5 -> ConfigurationException(message)
            else -> InternalException(message)
        }
    }

    val webhookRejection: (String, String) -> PersonaException = ::WebhookVerificationException
    val requestRejection: (String, String) -> PersonaException = ::RequestVerificationException

    private val INPUT = mapOf(
        10 to "invalid_key_id",
        11 to "invalid_secret",
        12 to "invalid_nonce",
        13 to "invalid_timestamp",
        14 to "invalid_url",
        15 to "invalid_method",
    )
    private val REJECTION = mapOf(
        20 to "missing_header",
        21 to "malformed_header",
        22 to "unknown_key",
        23 to "signature_mismatch",
        24 to "timestamp_out_of_tolerance",
        25 to "replayed_nonce",
        26 to "replay_cache_full",
        30 to "no_matching_signature",
    )
}

/** UTF-8 bytes plus the NUL the C ABI expects; a NUL inside would silently truncate, so refuse it. */
internal fun String.cString(field: String): ByteArray {
    val bytes = toByteArray(Charsets.UTF_8)
    if (bytes.contains(0)) throw InvalidInputException("invalid_argument", "$field must not contain NUL characters")
    return bytes.copyOf(bytes.size + 1)
}

/** Index of the first NUL at or after [from] (the buffers here always contain one). */
internal fun ByteArray.nulAt(from: Int): Int {
    for (i in from until size) if (this[i] == 0.toByte()) return i
    return size
}
