package com.withpersona.libpersona.api

import com.withpersona.libpersona.BinaryResponse
import com.withpersona.libpersona.PersonaException
import com.withpersona.libpersona.Response
import com.withpersona.libpersona.ffi.Reply
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * Builds the library's call JSON (the arguments of one operation, as `persona_client_call` and the
 * UniFFI `call` take them) from the generated methods' parameters. Strings are escaped here; a
 * body is JSON text the caller gives, passed through for the library to parse and check.
 */
internal class CallJson {
    private val members = ArrayList<String>()

    fun path(values: List<Pair<String, String>>) = apply {
        if (values.isNotEmpty()) members += "\"path\":" + values.joinToString(",", "{", "}") { (name, value) -> str(name) + ":" + str(value) }
    }

    fun strings(name: String, values: List<String>?) = apply {
        if (values != null) members += str(name) + ":" + values.joinToString(",", "[", "]", transform = ::str)
    }

    fun fields(values: Map<String, List<String>>?) = apply {
        if (values != null) {
            members += "\"fields\":" + values.entries.joinToString(",", "{", "}") { (kind, names) ->
                str(kind) + ":" + names.joinToString(",", "[", "]", transform = ::str)
            }
        }
    }

    /** `filter`: each value a String or a List<String> (sent comma-separated). */
    fun filter(values: Map<String, Any>?) = apply {
        if (values != null) {
            members += "\"filter\":" + values.entries.joinToString(",", "{", "}") { (name, value) ->
                str(name) + ":" + when (value) {
                    is String -> str(value)
                    is List<*> -> value.joinToString(",", "[", "]") { item ->
                        str(item as? String ?: throw PersonaException.invalidArgument("filter", "values must be strings or lists of strings"))
                    }
                    else -> throw PersonaException.invalidArgument("filter", "values must be strings or lists of strings")
                }
            }
        }
    }

    fun page(size: Int?, after: String?, before: String?) = apply {
        val page = listOfNotNull(
            size?.let {
                if (it < 0) throw PersonaException.invalidArgument("pageSize", "must not be negative")
                "\"size\":$it"
            },
            after?.let { "\"after\":" + str(it) },
            before?.let { "\"before\":" + str(it) },
        )
        if (page.isNotEmpty()) members += "\"page\":" + page.joinToString(",", "{", "}")
    }

    /** A JSON body, as text (the library refuses text that is not JSON). */
    fun body(json: String?) = apply {
        if (json != null) members += "\"body\":" + json
    }

    fun form(values: Map<String, String>?) = apply {
        if (values != null) members += "\"form\":" + values.entries.joinToString(",", "[", "]") { (name, value) -> "[" + str(name) + "," + str(value) + "]" }
    }

    fun string(name: String, value: String?) = apply {
        if (value != null) members += str(name) + ":" + str(value)
    }

    fun build(): String = members.joinToString(",", "{", "}")

    companion object {
        fun str(text: String): String {
            val out = StringBuilder(text.length + 2).append('"')
            for (c in text) {
                when {
                    c == '"' -> out.append("\\\"")
                    c == '\\' -> out.append("\\\\")
                    c < ' ' -> out.append("\\u%04x".format(c.code))
                    else -> out.append(c)
                }
            }
            return out.append('"').toString()
        }
    }
}

/** What the generated methods call: one operation by id with its call JSON. */
internal typealias OperationCall = suspend (operationId: String, callJson: String) -> Reply

internal fun Reply.json(): Response =
    Response(status.toInt(), requestId, attempts.toInt(), bodyJson ?: "null", nextCursor, previousCursor)

/**
 * The pages of a list call, one request each, along `links.next` (`links.prev` when [backward]),
 * until a page has no link onward or one that does not move. [callJson] builds the call for a
 * `page[after]`/`page[before]` pair.
 */
internal fun pages(
    call: OperationCall,
    operationId: String,
    after: String?,
    before: String?,
    backward: Boolean,
    callJson: (after: String?, before: String?) -> String,
): Flow<Response> = flow {
    var pageAfter = after
    var pageBefore = before
    while (true) {
        val page = call(operationId, callJson(pageAfter, pageBefore)).json()
        emit(page)
        val onward = if (backward) page.previousCursor else page.nextCursor
        if (onward == null || onward == (if (backward) pageBefore else pageAfter)) break
        if (backward) pageBefore = onward else pageAfter = onward
    }
}

internal fun Reply.binary(): BinaryResponse = BinaryResponse(status.toInt(), requestId, attempts.toInt(), bytes ?: ByteArray(0), contentType)
