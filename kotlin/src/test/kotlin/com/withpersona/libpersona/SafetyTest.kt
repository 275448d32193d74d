package com.withpersona.libpersona

import com.withpersona.libpersona.internal.CAbi
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** Bad input, secrets and panics: typed errors, never a crash, never a secret in text. */
class SafetyTest {
    @Test
    fun `bad inputs raise typed exceptions`() {
        assertEquals("invalid_secret", assertThrows<InvalidInputException> { WebhookVerifier("") }.code)
        assertThrows<PersonaException> { WebhookVerifier(emptyList()) }
        assertThrows<InvalidInputException> { WebhookVerifier("s", toleranceSeconds = -1) }
        assertThrows<InvalidInputException> { WebhookVerifier("nul\u0000inside") }
        assertEquals("invalid_key_id", assertThrows<InvalidInputException> { RequestSigner("bad key", "s") }.code)
        assertEquals("invalid_secret", assertThrows<InvalidInputException> { RequestSigner("kid", "") }.code)
        RequestSigner("kid", "secret").use { signer ->
            val badUrl = assertThrows<InvalidInputException> { signer.sign("GET", "ftp://h/") }
            assertEquals("invalid_url", badUrl.code)
            assertTrue(badUrl.message!!.contains("scheme"), badUrl.message)
            assertEquals("invalid_method", assertThrows<InvalidInputException> { signer.sign("G T", "https://h/") }.code)
            assertEquals("invalid_nonce", assertThrows<InvalidInputException> { signer.sign("GET", "https://h/", nonce = "short") }.code)
            assertEquals("invalid_timestamp", assertThrows<InvalidInputException> { signer.sign("GET", "https://h/", timestamp = -1) }.code)
            assertThrows<InvalidInputException> { signer.sign("GET", "https://h/\u0000") }
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
        assertThrows<InvalidInputException> { RequestVerifier(mapOf("kid" to listOf("s")), toleranceSeconds = -5) }
        assertThrows<InvalidInputException> { PersonaClient.builder().maxRetries(-1).apiKey("k").build() }
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
    fun `secrets never appear in toString or exception messages`() {
        val texts = mutableListOf(
            PersonaClient.builder().apiKey(Sandbox.API_KEY).toString(),
            Sandbox.client { keyPair(Sandbox.KEY_ID, Sandbox.SECRET) }.use { it.toString() },
            RequestSigner(Sandbox.KEY_ID, Sandbox.SECRET).toString(),
            WebhookVerifier("wbhsec_SECRET_value").toString(),
            RequestVerifier(mapOf(Sandbox.KEY_ID to listOf(Sandbox.SECRET))).toString(),
        )
        texts += assertThrows<PersonaException> { RequestSigner(Sandbox.KEY_ID, Sandbox.SECRET).sign("GET", "https://h/", nonce = "bad") }.toString()
        texts += assertThrows<PersonaException> {
            PersonaClient.builder().apiKey("persona_production_" + Sandbox.SECRET).expectedEnvironment(Environment.SANDBOX).build()
        }.toString()
        for (text in texts) {
            assertFalse(text.contains(Sandbox.SECRET) || text.contains("wbhsec_SECRET_value") || text.contains(Sandbox.API_KEY), text)
            assertTrue(text.isNotEmpty())
        }
    }

    @Test
    fun `a panic inside Rust is a typed error and the JVM survives`() {
        // The panic trigger exists only in a test-hooks build of libpersona (never shipped), loaded
        // here beside the jar's own copy.
        val path = System.getenv("PERSONA_TEST_HOOKS_LIBRARY")
        org.junit.jupiter.api.Assumptions.assumeTrue(path != null, "PERSONA_TEST_HOOKS_LIBRARY is not set")
        val hooks = com.sun.jna.NativeLibrary.getInstance(path)
        assertEquals(4, hooks.getFunction("persona_debug_trigger_panic").invokeInt(arrayOf()))
        val length = hooks.getFunction("persona_last_error_length").invokeLong(arrayOf()).toInt()
        val buffer = ByteArray(length + 1)
        assertEquals(0, hooks.getFunction("persona_last_error_message").invokeInt(arrayOf(buffer, buffer.size.toLong())))
        assertTrue(String(buffer, 0, length, Charsets.UTF_8).contains("deliberate panic"))
        // The library still works afterwards.
        assertEquals(PersonaClient.libraryVersion(), com.withpersona.libpersona.ffi.version())
        WebhookVerifier("secret").use { it.verify(WebhookVerifier.sign("secret", ByteArray(0), 5), ByteArray(0), 5) }
    }
}
