package com.withpersona.libpersona

import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.MethodSource
import java.util.concurrent.ConcurrentLinkedQueue
import kotlin.concurrent.thread
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The Kotlin client against a real `persona sandbox` process over loopback. */
class ClientTest {
    private val mapper = com.fasterxml.jackson.databind.ObjectMapper()
    private val template = body("""{"inquiry-template-id": "itmpl_kotlin"}""")

    private fun body(attributes: String) = """{"data":{"attributes":$attributes}}"""

    private fun Response.data() = mapper.readTree(bodyJson)["data"]

    private val Response.id: String get() = data()["id"].asText()

    private fun Response.attribute(name: String): String = data()["attributes"][name].asText()

    private val simulate = """{"meta":{"simulate-actions":[{"type":"start_inquiry"},{"type":"complete_inquiry"}]}}"""

    @Test
    fun `inquiry lifecycle and resources, bearer and v1-signed`() = runBlocking<Unit> {
        val credentials: List<PersonaClient.Builder.() -> Unit> = listOf(
            { apiKey(Sandbox.API_KEY) },
            { keyPair(Sandbox.KEY_ID, Sandbox.SECRET) },
        )
        for (configure in credentials) {
            Sandbox.client(configure).use { client ->
                val inquiries = client.api.inquiries
                val inquiry = inquiries.create(bodyJson = body("""{"inquiry-template-id": "itmpl_kotlin", "reference-id": "kt-1"}"""))
                assertTrue(inquiry.id.startsWith("inq_"))
                assertEquals("created", inquiry.attribute("status"))
                assertEquals("kt-1", inquiries.retrieve(inquiry.id).attribute("reference-id"))
                assertEquals("n", inquiries.update(inquiry.id, bodyJson = body("""{"note": "n"}""")).attribute("note"))
                assertEquals("completed", inquiries.performSimulateActions(inquiry.id, bodyJson = simulate).attribute("status"))
                assertEquals("approved", inquiries.approve(inquiry.id).attribute("status"))
                assertTrue(mapper.readTree(inquiries.resume(inquiry.id).bodyJson)["meta"]["session-token"].asText().startsWith("sess_"))
                val account = client.api.accounts.create(bodyJson = body("""{"reference-id": "acct-kt"}"""))
                assertEquals("acct-kt", client.api.accounts.retrieve(account.id).attribute("reference-id"))
                assertEquals("event", client.api.events.list().data()[0]["type"].asText())
                val raw = client.request("GET", "/inquiries/${inquiry.id}")
                assertEquals(200, raw.status.toInt())
                assertTrue(raw.bodyJson.contains("\"approved\""))
            }
        }
    }

    @Test
    fun `list paginates over three pages`() = runBlocking<Unit> {
        Sandbox.client().use { client ->
            val reference = "page-${System.nanoTime()}"
            val created = (1..7).map {
                client.api.inquiries.create(bodyJson = body("""{"inquiry-template-id": "itmpl_kotlin", "reference-id": "$reference"}""")).id
            }.toSet()
            val pages = client.api.inquiries.listPages(pageSize = 3, filter = mapOf("reference-id" to reference)).toList()
            val listed = pages.flatMap { page -> page.data().map { it["id"].asText() } }
            assertEquals(7, listed.size)
            assertEquals(created, listed.toSet())
            val first = client.api.inquiries.list(pageSize = 3, filter = mapOf("reference-id" to reference))
            assertEquals(3, first.data().size())
            assertTrue(first.nextCursor != null)
        }
    }

    @Test
    fun `errors are typed`() = runBlocking<Unit> {
        Sandbox.client().use { client ->
            val missing = assertThrows<ApiException> { runBlocking { client.api.inquiries.retrieve("inq_missing") } }
            assertEquals("not_found", missing.code)
            assertEquals(404, missing.status)
            assertTrue(missing.requestId!!.startsWith("req_"))
            val invalid = assertThrows<ApiException> { runBlocking { client.api.inquiries.create(bodyJson = body("{}")) } }
            assertEquals("validation", invalid.code)
            assertEquals("/data/attributes/inquiry-template-id", invalid.errors.first().pointer)
            client.api.inquiries.create(bodyJson = template, idempotencyKey = "kt-reuse-1")
            val conflict = assertThrows<ApiException> {
                runBlocking { client.api.inquiries.create(bodyJson = body("""{"inquiry-template-id": "other"}"""), idempotencyKey = "kt-reuse-1") }
            }
            assertEquals("conflict", conflict.code)
            assertThrows<InvalidInputException> { runBlocking { client.api.inquiries.create(bodyJson = "not json") } }
        }
        Sandbox.client { apiKey("persona_sandbox_wrong") }.use { client ->
            val error = assertThrows<ApiException> { runBlocking { client.api.inquiries.retrieve("inq_x") } }
            assertEquals("authentication", error.code)
            assertFalse(error.toString().contains("wrong"))
        }
        assertThrows<ConfigurationException> { PersonaClient.builder().baseUrl("http://example.com/api/v1").apiKey(Sandbox.API_KEY).build() }
        assertThrows<ConfigurationException> {
            PersonaClient.builder().baseUrl(Sandbox.baseUrl).apiKey("persona_production_x").expectedEnvironment(Environment.SANDBOX).build()
        }
    }

    companion object {
        @JvmStatic
        fun faults(): List<Map<String, Any>> = listOf(
            mapOf("kind" to "status", "status" to 429, "retry_after" to 0),
            mapOf("kind" to "status", "status" to 502),
            mapOf("kind" to "status", "status" to 503),
            mapOf("kind" to "status", "status" to 504),
            mapOf("kind" to "reset"),
            mapOf("kind" to "lose_response"),
        )
    }

    @ParameterizedTest
    @MethodSource("faults")
    fun `faults never create two inquiries`(fault: Map<String, Any>) = runBlocking<Unit> {
        Sandbox.client().use { client ->
            val before = Sandbox.inquiryCount()
            Sandbox.inject("method" to "POST", "path" to "/api/v1/inquiries", "count" to 2, *fault.toList().toTypedArray())
            client.api.inquiries.create(bodyJson = template)
            assertEquals(before + 1, Sandbox.inquiryCount())
        }
    }

    @Test
    fun `a POST 500 surfaces with its idempotency key`() = runBlocking<Unit> {
        Sandbox.client().use { client ->
            Sandbox.inject("method" to "POST", "path" to "/api/v1/inquiries", "kind" to "status", "status" to 500)
            val error = assertThrows<ApiException> { runBlocking { client.api.inquiries.create(bodyJson = template) } }
            assertEquals(500, error.status)
            assertTrue(!error.idempotencyKey.isNullOrEmpty())
        }
    }

    @Test
    fun `100 concurrent coroutines share one client, exactly one inquiry each`() = runBlocking<Unit> {
        Sandbox.client { keyPair(Sandbox.KEY_ID, Sandbox.SECRET) }.use { client ->
            val before = Sandbox.inquiryCount()
            Sandbox.inject("method" to "POST", "path" to "/api/v1/inquiries", "kind" to "lose_response", "count" to 5)
            val created = coroutineScope { (1..100).map { async { client.api.inquiries.create(bodyJson = template) } }.awaitAll() }
            assertEquals(100, created.map { it.id }.toSet().size)
            assertEquals(before + 100, Sandbox.inquiryCount())
        }
    }

    @Test
    fun `threads share one client and their calls overlap`() {
        Sandbox.client().use { client ->
            // Each call waits 200 ms inside the sandbox: one after another would take 16 × 0.2 s.
            Sandbox.inject("method" to "GET", "path" to "/api/v1/inquiries", "kind" to "delay", "delay_ms" to 200, "count" to 16)
            val results = ConcurrentLinkedQueue<Int>()
            val started = System.nanoTime()
            (1..16).map { thread { results.add(runBlocking { client.api.inquiries.list(pageSize = 1).data().size() }) } }.forEach { it.join() }
            val elapsedSeconds = (System.nanoTime() - started) / 1e9
            assertEquals(16, results.size)
            assertTrue(elapsedSeconds < 16 * 0.2 / 2, "calls did not overlap: $elapsedSeconds s")
        }
    }

    @Test
    fun `use after close throws and the JVM survives`() {
        val client = Sandbox.client()
        client.close()
        assertThrows<IllegalStateException> { runBlocking { client.api.inquiries.retrieve("inq_x") } }
        val verifier = WebhookVerifier("secret")
        verifier.close()
        verifier.close()
        assertThrows<IllegalStateException> { verifier.verify("t=1,v1=00", ByteArray(0), 1) }
        val signer = RequestSigner("kid", "secret")
        signer.close()
        assertThrows<IllegalStateException> { signer.sign("GET", "https://h/") }
    }
}
