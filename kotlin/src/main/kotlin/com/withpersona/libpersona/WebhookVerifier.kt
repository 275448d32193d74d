package com.withpersona.libpersona

import com.sun.jna.StringArray
import com.sun.jna.ptr.PointerByReference
import com.withpersona.libpersona.internal.CAbi
import com.withpersona.libpersona.internal.NativeHandle
import com.withpersona.libpersona.internal.cString
import com.withpersona.libpersona.internal.nulAt

/** A verified Persona webhook event. [payloadJson] is the raw body, exactly as received. */
data class WebhookEvent(val id: String, val name: String, val createdAt: String?, val payloadJson: String)

/**
 * Verifies Persona webhooks (`Persona-Signature: t=…,v1=…`) against one or more secrets (several
 * during a rotation). Thread-safe; create one and share it. Close it (or let it be collected)
 * when done.
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
        CAbi.requireAvailable()
        if (toleranceSeconds < 0) throw InvalidInputException("invalid_argument", "toleranceSeconds must not be negative")
        for (secret in secrets) secret.cString("secret")
        val out = PointerByReference()
        val code = CAbi.persona_webhook_verifier_new(StringArray(secrets.toTypedArray(), "UTF-8"), secrets.size.toLong(), toleranceSeconds, out)
        if (code != 0) throw CAbi.error(code, CAbi.webhookRejection)
        handle = NativeHandle(out.value, CAbi::persona_webhook_verifier_free)
    }

    /**
     * Verifies [header] (the `Persona-Signature` value; null when absent) against the raw [body]
     * as of [now] (unix seconds; null = the system clock). Throws [WebhookVerificationException]
     * with the reason when the webhook must be rejected.
     */
    @JvmOverloads
    fun verify(header: String?, body: ByteArray, now: Long? = null) {
        val encoded = header?.cString("header")
        val code = handle.use { pointer ->
            if (now != null) {
                CAbi.persona_webhook_verifier_verify_at(pointer, encoded, body, body.size.toLong(), now)
            } else {
                CAbi.persona_webhook_verifier_verify(pointer, encoded, body, body.size.toLong(), null)
            }
        }
        if (code != 0) throw CAbi.error(code, CAbi.webhookRejection)
    }

    /** Verifies like [verify], then reads the event (id, name, created-at, raw payload). */
    @JvmOverloads
    fun verifyEvent(header: String?, body: ByteArray, now: Long? = null): WebhookEvent {
        val encoded = header?.cString("header")
        return handle.use { pointer ->
            val out = PointerByReference()
            val code = CAbi.persona_webhook_verifier_verify_event(
                pointer, encoded, body, body.size.toLong(), now?.let { longArrayOf(it) }, out,
            )
            if (code != 0) throw CAbi.error(code, CAbi.webhookRejection)
            val event = out.value
            try {
                WebhookEvent(
                    id = CAbi.persona_webhook_event_id(event)?.getString(0, "UTF-8").orEmpty(),
                    name = CAbi.persona_webhook_event_name(event)?.getString(0, "UTF-8").orEmpty(),
                    // The C ABI gives "" when the event has no created-at.
                    createdAt = CAbi.persona_webhook_event_created_at(event)?.getString(0, "UTF-8")?.ifEmpty { null },
                    payloadJson = String(body, Charsets.UTF_8),
                )
            } finally {
                CAbi.persona_webhook_event_free(event)
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
            CAbi.requireAvailable()
            val buf = ByteArray(CAbi.WEBHOOK_HEADER_MAX)
            val code = CAbi.persona_webhook_sign(secret.cString("secret"), body, body.size.toLong(), timestamp, buf, buf.size.toLong())
            if (code != 0) throw CAbi.error(code, CAbi.webhookRejection)
            return String(buf, 0, buf.nulAt(0), Charsets.US_ASCII)
        }
    }
}
