package com.withpersona.libpersona

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.withpersona.libpersona.ffi.Resource
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.io.File
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlin.test.fail

/**
 * Replays tests/vectors/models.json through Kotlin's surface ([Response.models]): the typed models
 * the core reads, compared field by field (by their getters) with the shared cases.
 */
class ModelsTest {
    private val mapper = ObjectMapper()
    private val cases = mapper.readTree(File(repoRoot, "tests/vectors/models.json"))["cases"]

    private fun models(document: JsonNode) = Response(200, null, 1, mapper.writeValueAsString(document)).models()

    private fun camel(field: String) = field.split('_').joinToString("") { it.replaceFirstChar(Char::uppercase) }

    /** A status as the vectors write it: {"variant": "NeedsReview"} or {"other": "paused"}. */
    private fun status(value: Any): Map<String, String> {
        val other = value.javaClass.methods.firstOrNull { it.name == "getValue" && it.parameterCount == 0 }
        return if (value.javaClass.simpleName == "Other" && other != null) mapOf("other" to other.invoke(value) as String)
        else mapOf("variant" to value.javaClass.simpleName)
    }

    private fun assertField(case: String, model: Any, field: String, want: JsonNode) {
        // Kotlin names the JVM getter of `isVpn` isVpn(), of every other property getX().
        val jvmName = if (field.startsWith("is_")) camel(field).replaceFirstChar(Char::lowercase) else "get${camel(field)}"
        val getter = model.javaClass.getMethod(jvmName)
        val got = getter.invoke(model)
        when {
            want.isNull -> assertEquals(null, got, "$case: $field")
            field == "status" && want.isObject -> {
                val expected = want.fields().asSequence().associate { (k, v) -> k to v.asText() }
                assertEquals(expected, status(got ?: fail("$case: $field empty")), "$case: $field")
            }
            want.isNumber -> assertEquals(want.asDouble(), (got as Number).toDouble(), "$case: $field")
            want.isBoolean -> assertEquals(want.asBoolean(), got, "$case: $field")
            want.isArray -> assertEquals(want.map { it.asText() }, got, "$case: $field")
            else -> assertEquals(want.asText(), got, "$case: $field")
        }
    }

    @TestFactory
    fun `every model vector reads as pinned`() = cases.map { case ->
        val name = case["name"].asText()
        DynamicTest.dynamicTest(name) {
            val expect = case["expect"]
            if (expect.has("error")) {
                val error = assertThrows<PersonaException> { models(case["document"]) }
                assertEquals(expect["error"].asText(), error.code, name)
                expect["mentions"].forEach { assertTrue(error.message!!.contains(it.asText()), "$name: ${error.message}") }
                return@dynamicTest
            }
            val got = models(case["document"])
            assertEquals(expect["models"].size(), got.size, name)
            got.zip(expect["models"]).forEach { (resource, want) ->
                assertEquals(want["model"].asText(), resource.javaClass.simpleName, name)
                val model = resource.javaClass.getMethod("getValue").invoke(resource)
                assertEquals(want["type"].asText(), model.javaClass.getMethod("getResourceType").invoke(model), name)
                assertEquals(want["id"].asText(), model.javaClass.getMethod("getId").invoke(model), name)
                want["fields"]?.fields()?.forEach { (field, value) -> assertField(name, model, field, value) }
                for (member in listOf("attributes", "relationships")) {
                    val text = model.javaClass.getMethod("get${camel(member)}Json").invoke(model) as String
                    want["${member}_json"]?.let { assertEquals(it.asText(), text, name) }
                    val kept = mapper.readTree(text)
                    want["${member}_contain"]?.forEach { assertTrue(kept.has(it.asText()), "$name: $member lost $it") }
                }
            }
        }
    }

    @Test
    fun `models print type and id only, and one resource is not a list`() {
        val response = Response(200, null, 1, """{"data":{"type":"inquiry","id":"inq_1","attributes":{"name-first":"Jane"}}}""")
        val resource = response.model() as Resource.Inquiry
        for (text in listOf(resource.toString(), resource.value.toString())) {
            assertTrue("inq_1" in text && "Jane" !in text, text)
        }
        val list = Response(200, null, 1, """{"data":[]}""")
        assertEquals("invalid_argument", assertThrows<PersonaException> { list.model() }.code)
    }
}
