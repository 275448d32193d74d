package com.withpersona.libpersona

import com.sun.jna.Native
import com.sun.jna.NativeLibrary
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** Bad input, secrets and panics: typed errors, never a crash, never a secret in text. */
class SafetyTest {
    @Test
    fun `bad inputs raise typed exceptions`() {
        assertEquals("invalid_secret", assertThrows<InvalidInputException> { WebhookVerifier("") }.code)
        val none = assertThrows<ConfigurationException> { WebhookVerifier(emptyList()) }
        assertEquals("configuration error: a webhook verifier needs at least one secret", none.message)
        assertEquals("invalid_key_id", assertThrows<InvalidInputException> { RequestSigner("bad key", "s") }.code)
        assertEquals("invalid_secret", assertThrows<InvalidInputException> { RequestSigner("kid", "") }.code)
        RequestSigner("kid", "secret").use { signer ->
            val badUrl = assertThrows<InvalidInputException> { signer.sign("GET", "ftp://h/") }
            assertEquals("invalid_url", badUrl.code)
            assertEquals("invalid URL: scheme must be http or https", badUrl.message)
            assertEquals("invalid_method", assertThrows<InvalidInputException> { signer.sign("G T", "https://h/") }.code)
            assertEquals("invalid_nonce", assertThrows<InvalidInputException> { signer.sign("GET", "https://h/", nonce = "short") }.code)
            assertEquals("invalid_timestamp", assertThrows<InvalidInputException> { signer.sign("GET", "https://h/", timestamp = -1) }.code)
            val surrogate = assertThrows<InvalidInputException> { signer.sign("GET", "https://h/\uD800") }
            assertEquals("invalid_argument", surrogate.code)
            assertTrue(surrogate.message!!.startsWith("invalid argument `url`"), surrogate.message)
        }
        WebhookVerifier("secret").use { verifier ->
            assertEquals("missing_header", assertThrows<WebhookVerificationException> { verifier.verify(null, ByteArray(0), 1) }.code)
            assertEquals("malformed_header", assertThrows<WebhookVerificationException> { verifier.verify("garbage", ByteArray(0), 1) }.code)
            // A 16 KiB+ header is refused quickly; a non-event body is a typed error.
            assertEquals("malformed_header", assertThrows<WebhookVerificationException> { verifier.verify("t=1,v1=" + "a".repeat(20_000), ByteArray(0), 1) }.code)
            val body = "not json".toByteArray()
            val header = WebhookVerifier.sign("secret", body, 100)
            verifier.verify(header, body, 100)
            assertThrows<InvalidPayloadException> { verifier.verifyEvent(header, body, 100) }
        }
        assertThrows<InvalidInputException> { PersonaClient.builder().maxRetries(-1).apiKey("k").build() }
    }

    @Test
    fun `integers out of range are the library's invalid_argument, naming the Kotlin parameter`() {
        fun check(name: String, call: () -> Unit) {
            val error = assertThrows<InvalidInputException> { call() }
            assertEquals("invalid_argument", error.code)
            assertTrue(error.message!!.startsWith("invalid argument `$name`"), error.message)
        }
        check("toleranceSeconds") { WebhookVerifier("s", toleranceSeconds = -1) }
        check("toleranceSeconds") { RequestVerifier(mapOf("kid" to listOf("s")), toleranceSeconds = -5) }
        check("replayCacheCapacity") { RequestVerifier(mapOf("kid" to listOf("s")), replayCacheCapacity = -1) }
        // The largest values are accepted, not refused or wrapped.
        WebhookVerifier("s", toleranceSeconds = Long.MAX_VALUE).close()
        RequestVerifier(mapOf("kid" to listOf("s")), toleranceSeconds = Long.MAX_VALUE, replayCacheCapacity = 1).close()
    }

    @Test
    fun `NUL bytes reach the library and are refused there`() {
        val body = "body".toByteArray()
        val header = WebhookVerifier.sign("s", body, 100)
        WebhookVerifier("s").use { verifier ->
            verifier.verify(header, body, 100)
            val junk = assertThrows<WebhookVerificationException> { verifier.verify(header + "\u0000junk", body, 100) }
            assertEquals("no_matching_signature", junk.code)
        }
        for (make in listOf<() -> Unit>(
            { WebhookVerifier("X\u0000tail") },
            { WebhookVerifier.sign("X\u0000tail", body, 100) },
            { RequestSigner("kid", "X\u0000tail") },
            { RequestVerifier(mapOf("kid" to listOf("X\u0000tail"))) },
        )) {
            val error = assertThrows<InvalidInputException> { make() }
            assertEquals("invalid_secret", error.code)
            assertEquals("invalid secret: must not contain NUL characters", error.message)
        }
        assertEquals("invalid_key_id", assertThrows<InvalidInputException> { RequestSigner("kid\u0000x", "s") }.code)
    }

    @Test
    fun `verify is the signature and verifyEvent reads the event, payload included`() {
        val body = """{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.completed","payload":{"data":{"id":"inq_1"}}}}}"""
            .toByteArray()
        val header = WebhookVerifier.sign("s", body, 100)
        WebhookVerifier("s").use { verifier ->
            verifier.verify(header, body, 100)
            val event = verifier.verifyEvent(header, body, 100)
            assertEquals(WebhookEvent("evt_1", "inquiry.completed", null, """{"data":{"id":"inq_1"}}"""), event)
            assertNull(event.createdAt)
            // The library reads events; a name that is not a string is not an event anywhere.
            val bad = """{"data":{"type":"event","id":"evt_1","attributes":{"name":42,"created-at":7}}}""".toByteArray()
            val error = assertThrows<InvalidPayloadException> { verifier.verifyEvent(WebhookVerifier.sign("s", bad, 100), bad, 100) }
            assertEquals("invalid_payload", error.code)
        }
    }

    @Test
    fun `huge and binary bodies round trip`() {
        val body = ByteArray(4 shl 20) { (it * 31).toByte() }
        val header = WebhookVerifier.sign("secret", body, 1_700_000_000)
        WebhookVerifier("secret").use { it.verify(header, body, 1_700_000_000) }
        RequestSigner("kid", "secret").use { signer ->
            val headers = signer.sign("POST", "https://api.withpersona.com/api/v1/inquiries", body, 1_700_000_000, "0123456789abcdef")
            RequestVerifier(mapOf("kid" to listOf("secret"))).use { verifier ->
                assertEquals("kid", verifier.verify("POST", "https://api.withpersona.com/api/v1/inquiries", headers, body, 1_700_000_000))
            }
        }
    }

    @Test
    fun `secrets and personal data never appear in toString or exception messages`() {
        val personal = "123-45-6789"
        val event = """{"data":{"type":"event","id":"evt_p","attributes":{"name":"n","payload":{"ssn":"$personal"}}}}""".toByteArray()
        val texts = mutableListOf(
            PersonaClient.builder().apiKey(Sandbox.API_KEY).toString(),
            Sandbox.client { keyPair(Sandbox.KEY_ID, Sandbox.SECRET) }.use { it.toString() },
            RequestSigner(Sandbox.KEY_ID, Sandbox.SECRET).toString(),
            WebhookVerifier("wbhsec_SECRET_value").toString(),
            RequestVerifier(mapOf(Sandbox.KEY_ID to listOf(Sandbox.SECRET))).toString(),
            WebhookVerifier("wbhsec_SECRET_value").use { it.verifyEvent(WebhookVerifier.sign("wbhsec_SECRET_value", event, 5), event, 5) }.toString(),
            // The generated records print through the library's redacting Display.
            com.withpersona.libpersona.ffi.Credentials.apiKey(Sandbox.API_KEY).toString(),
            com.withpersona.libpersona.ffi.ClientConfig(null, null, null, null, null, null, "kotlin").toString(),
            com.withpersona.libpersona.ffi.Reply(200.toUShort(), "req_1", 1.toUInt(), """{"data":{"id":"inq_1","attributes":{"ssn":"$personal"}}}""", null, null, null, null).toString(),
            ApiResponse(200.toUShort(), "req_1", """{"ssn":"$personal"}""", 1.toUInt()).toString(),
        )
        texts += assertThrows<PersonaException> { RequestSigner(Sandbox.KEY_ID, Sandbox.SECRET).sign("GET", "https://h/", nonce = "bad") }.toString()
        texts += assertThrows<PersonaException> {
            PersonaClient.builder().apiKey("persona_production_" + Sandbox.SECRET).expectedEnvironment(Environment.SANDBOX).build()
        }.toString()
        for (text in texts) {
            assertFalse(text.contains(Sandbox.SECRET) || text.contains("wbhsec_SECRET_value") || text.contains(Sandbox.API_KEY), text)
            assertFalse(text.contains(personal), text)
            assertTrue(text.isNotEmpty())
        }
        assertTrue(texts.any { it.contains("req_1") }, "records still print their request id")
    }

    @Test
    fun `the direct-mapped classes pass size_t at the platform's width`() {
        // They used to refuse 32-bit ABIs. The largest capacity accepted is what this platform's
        // size_t holds, and a 32-bit set of declarations mirrors the 64-bit one with `int` where
        // that one has `long` (size_t) and nothing else changed.
        val expected = if (Native.SIZE_T_SIZE == 8) Long.MAX_VALUE else 0xffffffffL
        assertEquals(expected, com.withpersona.libpersona.internal.CAbi.SIZE_MAX)
        fun natives(name: String) = Class.forName("com.withpersona.libpersona.internal.$name").declaredMethods
            .filter { java.lang.reflect.Modifier.isNative(it.modifiers) }
            .associateBy { it.name }
        val wide = natives("LibPersona64")
        val narrow = natives("LibPersona32")
        assertEquals(wide.keys, narrow.keys)
        assertTrue(wide.size >= 30, "every C function is declared (${wide.size})")
        var narrowed = 0
        for ((name, method) in wide) {
            val types = method.parameterTypes.toList() + method.returnType
            val narrowTypes = narrow.getValue(name).parameterTypes.toList() + narrow.getValue(name).returnType
            assertEquals(types.size, narrowTypes.size, name)
            types.zip(narrowTypes).forEach { (w, n) ->
                if (w != n) {
                    assertEquals(Long::class.javaPrimitiveType to Int::class.javaPrimitiveType, w to n, name)
                    narrowed++
                }
            }
        }
        assertTrue(narrowed > 0)
    }

    @Test
    fun `a panic inside Rust is a typed error and the JVM survives`() {
        // The panic trigger exists only in a test-hooks build of libpersona (never shipped), loaded
        // here beside the jar's own copy.
        val path = System.getenv("PERSONA_TEST_HOOKS_LIBRARY")
        assumeTrue(path != null, "PERSONA_TEST_HOOKS_LIBRARY is not set")
        val hooks = NativeLibrary.getInstance(path)
        assertEquals(4, hooks.getFunction("persona_debug_trigger_panic").invokeInt(arrayOf()))
        val code = hooks.getFunction("persona_last_error_code").invokePointer(arrayOf()).getString(0, "US-ASCII")
        val kind = hooks.getFunction("persona_last_error_kind").invokePointer(arrayOf()).getString(0, "US-ASCII")
        val length = hooks.getFunction("persona_last_error_length").invokeLong(arrayOf()).toInt()
        val buffer = ByteArray(length + 1)
        assertEquals(0, hooks.getFunction("persona_last_error_message").invokeInt(arrayOf(buffer, buffer.size.toLong())))
        val message = String(buffer, 0, length, Charsets.UTF_8)
        assertTrue(message.contains("deliberate panic"))
        // What the Kotlin layer makes of such an error.
        val error = PersonaException.of(kind, code, message)
        assertTrue(error is InternalException && error.code == "internal", error.toString())
        // The library still works afterwards.
        assertEquals(PersonaClient.libraryVersion(), com.withpersona.libpersona.ffi.version())
        WebhookVerifier("secret").use { it.verify(WebhookVerifier.sign("secret", ByteArray(0), 5), ByteArray(0), 5) }
    }
}
