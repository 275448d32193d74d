package com.withpersona.libpersona

import com.withpersona.libpersona.ffi.ClientConfig
import com.withpersona.libpersona.ffi.Credentials
import com.withpersona.libpersona.ffi.QueryParam
import java.time.Duration
import com.withpersona.libpersona.ffi.Client as FfiClient

/** A raw response from [PersonaClient.request]. */
typealias ApiResponse = com.withpersona.libpersona.ffi.ApiResponse

/** Which Persona environment a key belongs to. */
enum class Environment(internal val wire: String) { SANDBOX("sandbox"), PRODUCTION("production") }

/**
 * The Persona API client: `suspend` functions over libpersona's async Rust client (its own tokio
 * runtime; no thread of yours blocks). Retries with full jitter inside a total deadline; every
 * retried POST carries the same Idempotency-Key. Thread-safe: share one client and [close] it
 * when done (`use {}`).
 *
 * ```kotlin
 * PersonaClient.builder().apiKey(System.getenv("PERSONA_API_KEY")).build().use { persona ->
 *     val inquiry = persona.api.inquiries.create(bodyJson = """{"data":{"attributes":{"inquiry-template-id":"itmpl_…"}}}""")
 *     persona.api.inquiries.listPages(pageSize = 50).collect { page -> println(page.bodyJson) }
 * }
 * ```
 */
class PersonaClient private constructor(private val inner: FfiClient, private val baseUrl: String?) : AutoCloseable {
    /** Settings for a [PersonaClient]; credentials default to the environment (`PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`). */
    class Builder internal constructor() {
        private var apiKey: String? = null
        private var keyId: String? = null
        private var secret: String? = null
        private var baseUrl: String? = null
        private var personaVersion: String? = null
        private var expectedEnvironment: Environment? = null
        private var requestTimeout: Duration? = null
        private var totalTimeout: Duration? = null
        private var maxRetries: Int? = null

        /** A Persona API key (sent as `Authorization: Bearer`). */
        fun apiKey(apiKey: String) = apply { this.apiKey = apiKey }

        /** A key id + secret: requests are signed with the `v1` scheme. */
        fun keyPair(keyId: String, secret: String) = apply {
            this.keyId = keyId
            this.secret = secret
        }

        /** The API base URL (default `https://api.withpersona.com/api/v1`; plain HTTP only for loopback). */
        fun baseUrl(baseUrl: String) = apply { this.baseUrl = baseUrl }
        /** `Persona-Version` (default: the version the operations were generated for); `"none"` sends no header, so the API key's dashboard version applies. */
        fun personaVersion(version: String) = apply { this.personaVersion = version }

        /** Refuse a key that belongs to the other environment (a production key in a dev config fails loudly). */
        fun expectedEnvironment(environment: Environment) = apply { this.expectedEnvironment = environment }

        /** Per-attempt timeout. */
        fun requestTimeout(timeout: Duration) = apply { this.requestTimeout = timeout }

        /** Deadline for a whole call, retries included. */
        fun totalTimeout(timeout: Duration) = apply { this.totalTimeout = timeout }

        /** Retries after the first attempt (0 disables retrying). */
        fun maxRetries(retries: Int) = apply { this.maxRetries = retries }

        fun build(): PersonaClient {
            fun millis(d: Duration?, name: String): ULong? = d?.let {
                if (it.isNegative) throw PersonaException.invalidArgument(name, "must not be negative")
                it.toMillis().toULong()
            }
            val retries = maxRetries?.let {
                if (it < 0) throw PersonaException.invalidArgument("maxRetries", "must not be negative")
                it.toUInt()
            }
            val apiKey = apiKey
            val keyId = keyId
            val secret = secret
            // Credentials are an opaque object: no record (whose toString() would print it) holds them.
            val credentials = translated {
                when {
                    apiKey != null -> Credentials.apiKey(apiKey)
                    keyId != null && secret != null -> Credentials.keyPair(keyId, secret)
                    else -> Credentials.fromEnv()
                }
            }
            val config = ClientConfig(
                baseUrl = baseUrl,
                personaVersion = personaVersion,
                expectedEnvironment = expectedEnvironment?.wire,
                requestTimeoutMs = millis(requestTimeout, "requestTimeout"),
                totalTimeoutMs = millis(totalTimeout, "totalTimeout"),
                maxRetries = retries,
                binding = "kotlin",
            )
            return PersonaClient(translated { FfiClient(credentials, config) }, baseUrl)
        }

        override fun toString() = "PersonaClient.Builder(credentials=[REDACTED], baseUrl=$baseUrl)"
    }

    /**
     * Every operation of Persona's API as a suspend method, by group, generated from Persona's
     * OpenAPI document: `client.api.inquiries.retrieve("inq_…", include = listOf("sessions"))`.
     * Path parameters first; everything else is what the operation declares, checked by the library.
     */
    val api: com.withpersona.libpersona.api.Api by lazy {
        com.withpersona.libpersona.api.Api { operationId, callJson -> translated { inner.call(operationId, callJson) } }
    }

    /** Any endpoint (the escape hatch): [path] is relative to the base URL, e.g. `/inquiries`. */
    suspend fun request(
        method: String,
        path: String,
        query: List<Pair<String, String>> = emptyList(),
        bodyJson: String? = null,
        idempotencyKey: String? = null,
    ): ApiResponse = translated { inner.request(method, path, query.map { QueryParam(it.first, it.second) }, bodyJson, idempotencyKey) }

    /** Releases the native client; later calls throw [IllegalStateException]. */
    override fun close() = inner.close()

    override fun toString() = "PersonaClient(credentials=[REDACTED], baseUrl=${baseUrl ?: "default"})"

    companion object {
        @JvmStatic
        fun builder(): Builder = Builder()

        /** The version of the bundled libpersona. */
        @JvmStatic
        fun libraryVersion(): String = com.withpersona.libpersona.ffi.version()
    }
}
