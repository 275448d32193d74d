package com.withpersona.libpersona

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

/** The repository root (the pom passes it; tests also work from `kotlin/`). */
val repoRoot: File = File(System.getenv("PERSONA_REPO_ROOT") ?: "..").canonicalFile

/** A real `persona sandbox` process on an ephemeral loopback port, shared by the whole test run. */
object Sandbox {
    const val API_KEY = "persona_sandbox_KOTLIN-KEY-do-not-leak"
    const val KEY_ID = "kid_kotlin"
    const val SECRET = "kotlin-SECRET-do-not-leak"
    private const val ADMIN_TOKEN = "sbx_admin_kotlin"

    private val mapper = ObjectMapper()
    private val http: HttpClient = HttpClient.newHttpClient()
    private val process: Process
    val origin: String
    val baseUrl: String

    init {
        val binary = System.getenv("PERSONA_BIN")?.let(::File)
            ?: listOf("debug", "release").map { File(repoRoot, "target/$it/persona") }.first { it.canExecute() }
        val builder = ProcessBuilder(binary.path, "sandbox", "--port", "0", "--rate-limit", "0").redirectError(ProcessBuilder.Redirect.INHERIT)
        builder.environment().putAll(mapOf("PERSONA_API_KEY" to API_KEY, "PERSONA_API_KEY_ID" to KEY_ID, "PERSONA_API_KEY_SECRET" to SECRET, "PERSONA_SANDBOX_ADMIN_TOKEN" to ADMIN_TOKEN))
        process = builder.start()
        val line = process.inputStream.bufferedReader().readLine() ?: error("sandbox exited before listening")
        check(line.startsWith("listening on ")) { line }
        origin = line.substringAfterLast(' ')
        baseUrl = "$origin/api/v1"
        Runtime.getRuntime().addShutdownHook(Thread { process.destroy(); process.waitFor(10, TimeUnit.SECONDS) })
    }

    private fun admin(method: String, path: String, body: Any? = null): JsonNode {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(mapper.writeValueAsString(it)) } ?: HttpRequest.BodyPublishers.noBody()
        val request = HttpRequest.newBuilder(URI.create("$origin/_sandbox/$path"))
            .method(method, publisher)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer $ADMIN_TOKEN")
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "admin $path: ${response.statusCode()} ${response.body()}" }
        return mapper.readTree(response.body())
    }

    /** Adds a fault rule (`kind`: status, reset, lose_response, delay; `method`, `path`, `count`, ...). */
    fun inject(vararg rule: Pair<String, Any>) {
        admin("POST", "faults", rule.toMap())
    }

    fun inquiryCount(): Long = admin("GET", "stats")["inquiries"].asLong()

    fun client(configure: PersonaClient.Builder.() -> Unit = { apiKey(API_KEY) }): PersonaClient =
        PersonaClient.builder().baseUrl(baseUrl).apply(configure).build()
}
