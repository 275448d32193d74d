package com.withpersona.libpersona

import org.junit.jupiter.api.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** Run by failsafe against the packaged jar: a consumer needs no library path. */
class PackagedJarIT {
    @Test
    fun `the jar carries libpersona and JNA loads it from there`() {
        val location = WebhookVerifier::class.java.protectionDomain.codeSource.location.path
        assertTrue(location.endsWith(".jar"), "classes should come from the packaged jar, not $location")
        val resource = assertNotNull(WebhookVerifier::class.java.classLoader.getResource("linux-x86-64/libpersona.so"))
        assertTrue(resource.toString().startsWith("jar:"), resource.toString())
        assertEquals(null, System.getProperty("jna.library.path"))
        // Both native paths work: direct-mapped (webhooks) and UniFFI (version, client).
        val body = """{"data":{"type":"event","id":"evt_1","attributes":{"name":"inquiry.completed"}}}""".toByteArray()
        WebhookVerifier("s").use { assertEquals("evt_1", it.verifyEvent(WebhookVerifier.sign("s", body, 5), body, 5).id) }
        assertEquals("0.1.0", PersonaClient.libraryVersion())
    }
}
