package com.withpersona.libpersona

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper

/** A request vector's call JSON read back as the generated methods' arguments (GeneratedDispatch.kt). */
private val mapper = ObjectMapper()

internal fun pathArgument(call: JsonNode, name: String): String = call["path"][name].asText()

internal fun textArgument(call: JsonNode, name: String): String? = call[name]?.asText()

internal fun includeArgument(call: JsonNode): List<String>? = call["include"]?.map { it.asText() }

internal fun fieldsArgument(call: JsonNode): Map<String, List<String>>? =
    call["fields"]?.fields()?.asSequence()?.associate { (kind, names) -> kind to names.map { it.asText() } }

internal fun filterArgument(call: JsonNode): Map<String, Any>? =
    call["filter"]?.fields()?.asSequence()?.associate { (name, value) ->
        name to (if (value.isArray) value.map { it.asText() } else value.asText())
    }

internal fun pageSizeArgument(call: JsonNode): Int? = call["page"]?.get("size")?.asInt()

internal fun pageArgument(call: JsonNode, name: String): String? = call["page"]?.get(name)?.asText()

internal fun bodyArgument(call: JsonNode): String? = call["body"]?.let { mapper.writeValueAsString(it) }

internal fun formArgument(call: JsonNode): Map<String, String>? =
    call["form"]?.associate { pair -> pair[0].asText() to pair[1].asText() }
