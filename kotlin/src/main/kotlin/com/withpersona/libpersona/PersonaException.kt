package com.withpersona.libpersona

import com.withpersona.libpersona.ffi.PersonaException as FfiError

/** A problem detail from Persona's `errors` array. */
data class ApiErrorDetail(val title: String?, val details: String?, val pointer: String?)

/**
 * Every error libpersona raises: one subclass per kind of the Rust core's `PersonaError`.
 * [code] is the library's stable code to branch on and the message is the library's, both the
 * same in every language. Messages never contain secrets.
 */
sealed class PersonaException(message: String) : Exception(message) {
    abstract val code: String

    companion object {
        /**
         * The exception for an error the library reported: its class chosen by [kind] (the
         * library's kinds, the one place this package maps them), [code] and [message] verbatim.
         */
        internal fun of(kind: String, code: String, message: String): PersonaException = when (kind) {
            "invalid_input" -> InvalidInputException(code, message)
            "configuration" -> ConfigurationException(message)
            "request_rejected" -> RequestVerificationException(code, message)
            "webhook_rejected" -> WebhookVerificationException(code, message)
            "invalid_payload" -> InvalidPayloadException(message)
            "network" -> NetworkException(message, null)
            "timeout" -> TimeoutException(message, null)
            "unexpected_response" -> UnexpectedResponseException(message)
            else -> InternalException(message)
        }

        /** A bad argument, worded as the library words its own (`invalid_argument` everywhere). */
        internal fun invalidArgument(name: String, reason: String) =
            InvalidInputException("invalid_argument", "invalid argument `$name`: $reason")
    }
}

/** An input was invalid (`invalid_key_id`, `invalid_url`, `invalid_nonce`, ...). */
class InvalidInputException(override val code: String, message: String) : PersonaException(message)

/** Credentials or settings are missing or inconsistent (e.g. a production key where sandbox was expected). */
class ConfigurationException(message: String) : PersonaException(message) {
    override val code: String get() = "configuration"
}

/** A `v1`-signed request was rejected (`missing_header`, `signature_mismatch`, `replayed_nonce`, ...). */
class RequestVerificationException(override val code: String, message: String) : PersonaException(message)

/** A webhook was rejected (`missing_header`, `malformed_header`, `timestamp_out_of_tolerance`, `no_matching_signature`). */
class WebhookVerificationException(override val code: String, message: String) : PersonaException(message)

/** A verified webhook body is not a Persona event. */
class InvalidPayloadException(message: String) : PersonaException(message) {
    override val code: String get() = "invalid_payload"
}

/**
 * Persona answered with an error status. [code] is `authentication`, `permission_denied`,
 * `not_found`, `conflict`, `validation`, `rate_limited`, `server` or `api_error`.
 */
class ApiException(
    override val code: String,
    val status: Int,
    val requestId: String?,
    val errors: List<ApiErrorDetail>,
    val retryAfterMs: Long?,
    /** The key a retried POST carried: reuse it to retry safely yourself. */
    val idempotencyKey: String?,
    message: String,
) : PersonaException(message)

/** The request could not be completed over the network (after retries). */
class NetworkException(message: String, val idempotencyKey: String?) : PersonaException(message) {
    override val code: String get() = "network"
}

/** The request or the whole call (retries included) ran out of time. */
class TimeoutException(message: String, val idempotencyKey: String?) : PersonaException(message) {
    override val code: String get() = "timeout"
}

/** Persona's answer could not be understood. */
class UnexpectedResponseException(message: String) : PersonaException(message) {
    override val code: String get() = "unexpected_response"
}

/** A bug in libpersona (a caught panic included): the process is fine, the call failed. */
class InternalException(message: String) : PersonaException(message) {
    override val code: String get() = "internal"
}

/** The generated bindings' error, as the idiomatic one (code and message as the library gave them). */
internal fun FfiError.idiomatic(): PersonaException = when (this) {
    is FfiError.Api -> ApiException(
        code,
        status.toInt(),
        requestId,
        errors.map { ApiErrorDetail(it.title, it.details, it.pointer) },
        retryAfterMs?.toLong(),
        idempotencyKey,
        detail,
    )
    is FfiError.Network -> NetworkException(detail, idempotencyKey)
    is FfiError.Timeout -> TimeoutException(detail, idempotencyKey)
    is FfiError.InvalidInput -> PersonaException.of("invalid_input", code, detail)
    is FfiError.Configuration -> PersonaException.of("configuration", code, detail)
    is FfiError.RequestRejected -> PersonaException.of("request_rejected", code, detail)
    is FfiError.WebhookRejected -> PersonaException.of("webhook_rejected", code, detail)
    is FfiError.InvalidPayload -> PersonaException.of("invalid_payload", code, detail)
    is FfiError.UnexpectedResponse -> PersonaException.of("unexpected_response", code, detail)
    is FfiError.Internal -> PersonaException.of("internal", code, detail)
}

/** Runs a call into the generated bindings, raising idiomatic exceptions. */
internal inline fun <T> translated(block: () -> T): T =
    try {
        block()
    } catch (e: FfiError) {
        throw e.idiomatic()
    } catch (e: com.withpersona.libpersona.ffi.InternalException) {
        // UniFFI's own error for a Rust panic caught at the boundary.
        throw InternalException(e.message ?: "libpersona panicked")
    }
