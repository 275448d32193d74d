package com.withpersona.libpersona

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.util.Base64
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** Both shared vector files (tests/vectors/), through the public Kotlin API. */
class VectorsTest {
    private val json = ObjectMapper()

    private fun cases(name: String): List<JsonNode> {
        val cases = json.readTree(File(repoRoot, "tests/vectors/$name"))["cases"].toList()
        assertTrue(cases.size >= 30)
        return cases
    }

    private fun bodyOf(spec: JsonNode): ByteArray = when {
        spec.has("utf8") -> spec["utf8"].asText().toByteArray(Charsets.UTF_8)
        spec.has("base64") -> Base64.getDecoder().decode(spec["base64"].asText())
        else -> spec["repeat"].asText().repeat(spec["times"].asInt()).toByteArray(Charsets.UTF_8)
    }

    @TestFactory
    fun requestSigning() = cases("request_signing.json").map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            if (case["op"].asText() == "sign") sign(case) else verify(case)
        }
    }

    private fun sign(case: JsonNode) {
        val input = case["input"]
        val expected = case["expected"]
        val run = {
            RequestSigner(input["key_id"].asText(), input["secret"].asText()).use {
                it.sign(input["method"].asText(), input["url"].asText(), bodyOf(input["body"]), input["timestamp"].asLong(), input["nonce"].asText())
            }
        }
        if (expected.has("error")) {
            val error = assertThrows<InvalidInputException> { run() }
            assertEquals(expected["error"].asText() to expected["message"].asText(), error.code to error.message)
            return
        }
        val headers = run().toList()
        assertEquals(expected["headers"].map { it[0].asText() to it[1].asText() }, headers)
    }

    private fun verify(case: JsonNode) {
        val config = case["verifier"]
        val keys = config["keys"].associate { key -> key["key_id"].asText() to key["secrets"].map { it.asText() } }
        val capacity = if (config["replay_cache"].asBoolean()) 10_000L else 0L
        RequestVerifier(keys, config["tolerance"].asLong(), capacity).use { verifier ->
            for (step in case["steps"]) {
                val request = step["request"]
                val expected = step["expected"]
                val headers = request["headers"].map { it[0].asText() to it[1].asText() }
                val call = {
                    verifier.verify(request["method"].asText(), request["url"].asText(), headers, bodyOf(request["body"]), step["now"].asLong())
                }
                if (expected["valid"].asBoolean()) {
                    assertEquals(expected["key_id"].asText(), call())
                } else {
                    val error = assertThrows<RequestVerificationException> { call() }
                    // Code and message: the same, word for word, in every language.
                    assertEquals(expected["error"].asText() to expected["message"].asText(), error.code to error.message)
                    if (expected["error"].asText() == "missing_header") {
                        assertTrue(error.message!!.contains(expected["header"].asText()), error.message)
                    }
                }
            }
        }
    }

    @TestFactory
    fun webhooks() = cases("webhooks.json").map { case ->
        DynamicTest.dynamicTest(case["name"].asText()) {
            val body = bodyOf(case["body"])
            if (case["op"].asText() == "sign") {
                assertEquals(case["expected"]["header"].asText(), WebhookVerifier.sign(case["secret"].asText(), body, case["timestamp"].asLong()))
                return@dynamicTest
            }
            val header = case["header"].takeUnless { it == null || it.isNull }
                ?.let { if (it.isTextual) it.asText() else String(bodyOf(it), Charsets.UTF_8) }
            val secrets = case["secrets"].map { it.asText() }
            WebhookVerifier(secrets, case["tolerance"].asLong()).use { verifier ->
                val expected = case["expected"]
                val now = case["now"].asLong()
                if (expected["valid"].asBoolean()) {
                    verifier.verify(header, body, now)
                    case["event"]?.takeUnless { it.isNull }?.let { event ->
                        if (event.has("error")) {
                            val error = assertThrows<InvalidPayloadException> { verifier.verifyEvent(header, body, now) }
                            assertEquals(event["error"].asText() to event["message"].asText(), error.code to error.message)
                            return@let
                        }
                        val parsed = verifier.verifyEvent(header, body, now)
                        assertEquals(event["id"].asText(), parsed.id)
                        assertEquals(event["name"].asText(), parsed.name)
                        assertEquals(event["created_at"]?.takeUnless { it.isNull }?.asText(), parsed.createdAt)
                        assertEquals(event["payload"], json.readTree(parsed.payloadJson))
                    }
                } else {
                    val error = assertThrows<WebhookVerificationException> { verifier.verify(header, body, now) }
                    assertEquals(expected["error"].asText() to expected["message"].asText(), error.code to error.message)
                }
            }
        }
    }
}
