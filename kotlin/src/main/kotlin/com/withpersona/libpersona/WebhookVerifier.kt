package com.withpersona.libpersona

import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.LibPersona
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.nulAt
import com.withpersona.libpersona.internal.inRange
import com.withpersona.libpersona.internal.utf8

/**
 * A verified Persona webhook event, as the library read it from the body: [payloadJson] is
 * `data.attributes.payload` as raw JSON text (`null` when absent), in every language.
 */
data class WebhookEvent(val id: String, val name: String, val createdAt: String?, val payloadJson: String) {
    /** The event as Persona's document lists it (null for a name it does not list). */
    val kind: EventName? get() = EventName.of(name)

    /**
     * The resource the event carries read into its typed model by the library's core:
     * `inquiry.completed` → `Resource.Inquiry`; null when the payload has no data.
     */
    fun model(): com.withpersona.libpersona.ffi.Resource? =
        translated { com.withpersona.libpersona.ffi.documentModel(payloadJson) }

    /** Type and id only: the payload can hold personal data. */
    override fun toString() = "WebhookEvent(id=$id, name=$name)"
}

/**
 * Verifies Persona webhooks (`Persona-Signature: t=…,v1=…`) against one or more secrets (several
 * during a rotation). Thread-safe; create one and share it. Close it (or let it be collected)
 * when done.
 *
 * [verify] checks the signature only; [verifyEvent] checks it too and returns the event: the
 * same two names, with the same meaning, in every language libpersona ships to.
 *
 * ```kotlin
 * val verifier = WebhookVerifier(listOf(System.getenv("PERSONA_WEBHOOK_SECRET")))
 * val event = verifier.verifyEvent(request.getHeader("Persona-Signature"), rawBody)
 * ```
 */
class WebhookVerifier @JvmOverloads constructor(
    secrets: List<String>,
    /** Maximum |now − t| in seconds; 0 means "the same second", never "off". */
    val toleranceSeconds: Long = DEFAULT_TOLERANCE_SECONDS,
) : AutoCloseable {
    @JvmOverloads constructor(secret: String, toleranceSeconds: Long = DEFAULT_TOLERANCE_SECONDS) :
        this(listOf(secret), toleranceSeconds)

    private val handle: NativeHandle

    init {
        toleranceSeconds.inRange("toleranceSeconds", 0, Long.MAX_VALUE)
        val table = CAbi.pairTable(secrets.map { arrayOf(it.utf8("secret")) }, LibPersona.PERSONA_STR_PAIRS)
        val out = PointerByReference()
        val code = try {
            LibPersona.persona_webhook_verifier_new(table, CAbi.size(secrets.size), toleranceSeconds, out)
        } finally {
            // The library copied the secrets; do not leave ours in native memory until GC.
            table?.clear()
            table?.close()
        }
        if (code != 0) throw CAbi.error()
        handle = NativeHandle(out.value, LibPersona::persona_webhook_verifier_free)
    }

    /**
     * Checks the signature of the raw [body] against [header] (the `Persona-Signature` value;
     * null when absent) as of [now] (unix seconds; null = the system clock). Throws
     * [WebhookVerificationException] with the reason when the webhook must be rejected.
     */
    @JvmOverloads
    fun verify(header: String?, body: ByteArray, now: Long? = null) {
        // Wire data: a lone surrogate becomes `?`, and no signature matches it.
        val encoded = header?.toByteArray(Charsets.UTF_8)
        val headerLength = CAbi.size(encoded?.size ?: 0)
        val code = handle.use { pointer ->
            if (now != null) {
                LibPersona.persona_webhook_verifier_verify_at(pointer, encoded, headerLength, body, CAbi.size(body.size), now)
            } else {
                LibPersona.persona_webhook_verifier_verify(pointer, encoded, headerLength, body, CAbi.size(body.size), null)
            }
        }
        if (code != 0) throw CAbi.error()
    }

    /**
     * Checks the signature like [verify], then returns the event the library read from the body
     * (throws [InvalidPayloadException] when it is not a Persona event).
     */
    @JvmOverloads
    fun verifyEvent(header: String?, body: ByteArray, now: Long? = null): WebhookEvent {
        val encoded = header?.toByteArray(Charsets.UTF_8)
        return handle.use { pointer ->
            val out = PointerByReference()
            val code = LibPersona.persona_webhook_verifier_verify_event(
                pointer, encoded, CAbi.size(encoded?.size ?: 0), body, CAbi.size(body.size), now?.let { longArrayOf(it) }, out,
            )
            if (code != 0) throw CAbi.error()
            val event = out.value
            val length = CAbi.sizeSlot()
            try {
                WebhookEvent(
                    id = CAbi.text(length) { LibPersona.persona_webhook_event_id(event, it) }.orEmpty(),
                    name = CAbi.text(length) { LibPersona.persona_webhook_event_name(event, it) }.orEmpty(),
                    createdAt = CAbi.text(length) { LibPersona.persona_webhook_event_created_at(event, it) },
                    payloadJson = CAbi.text(length) { LibPersona.persona_webhook_event_payload_json(event, it) } ?: "null",
                )
            } finally {
                LibPersona.persona_webhook_event_free(event)
                length.close()
            }
        }
    }

    override fun close() = handle.close()

    override fun toString() = "WebhookVerifier(secrets=[REDACTED], toleranceSeconds=$toleranceSeconds)"

    companion object {
        const val DEFAULT_TOLERANCE_SECONDS = 300L

        /** A `Persona-Signature` value for [body] at [timestamp] (for tests and local servers). */
        @JvmStatic
        fun sign(secret: String, body: ByteArray, timestamp: Long): String {
            val buf = ByteArray(LibPersona.PERSONA_WEBHOOK_HEADER_MAX)
            val key = secret.utf8("secret")
            val code = LibPersona.persona_webhook_sign(key, CAbi.size(key.size), body, CAbi.size(body.size), timestamp, buf, CAbi.size(buf.size))
            if (code != 0) throw CAbi.error()
            return String(buf, 0, buf.nulAt(), Charsets.US_ASCII)
        }
    }
}
